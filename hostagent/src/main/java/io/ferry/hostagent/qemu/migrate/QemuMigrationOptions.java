package io.ferry.hostagent.qemu.migrate;

import io.ferry.v1.MigrationLimits;
import io.ferry.v1.MigrationStrategy;
import java.time.Duration;

/**
 * How one QEMU-to-QEMU migration runs. Built from Ferry's {@link MigrationLimits} with {@link #from}, or
 * {@link #qemuDefaults} for QEMU's own behaviour (plain {@code migrate}, nothing set: the benchmark's baseline).
 *
 * @param strategy PRE_COPY, POST_COPY (switch right after the first pass), AUTO_CONVERGE or AUTO
 * @param setParameters false = leave every QEMU capability and parameter at its default (except TLS and events)
 * @param downtimeLimit the initial downtime limit; null = QEMU's default (300 ms)
 * @param maxDowntimeLimit how far {@code AUTO} may raise the downtime limit before its next step
 * @param bandwidthBytesPerSecond max-bandwidth; 0 = uncapped with Ferry's options ({@link #UNCAPPED_BYTES_PER_SECOND}),
 *     QEMU's default (128 MiB/s) with {@link #qemuDefaults}
 * @param postCopyAllowed AUTO may switch to post-copy (sets the postcopy-ram capability up front)
 * @param multifdChannels parallel streams; 0 or 1 = off (QEMU 7.2 cannot combine multifd with post-copy)
 * @param xbzrle delta compression of re-sent pages
 * @param tls encrypt with the tls-creds-x509 objects the {@link MigrationTls} helper adds
 * @param timeout give up (cancel, source keeps running) after this long, unless post-copy already runs
 * @param stallWindow AUTO's patience: remaining RAM that has not shrunk by 10 % over this window counts as stalled
 * @param pollInterval how often {@code query-migrate} is read between MIGRATION events
 */
public record QemuMigrationOptions(MigrationStrategy strategy, boolean setParameters, Duration downtimeLimit,
    Duration maxDowntimeLimit, long bandwidthBytesPerSecond, boolean postCopyAllowed, int multifdChannels,
    boolean xbzrle, boolean tls, Duration timeout, Duration stallWindow, Duration pollInterval) {

  /** The max-bandwidth Ferry sets for "no cap": 1 TiB/s, far above any link. */
  public static final long UNCAPPED_BYTES_PER_SECOND = 1L << 40;

  public QemuMigrationOptions {
    if (strategy == null || strategy == MigrationStrategy.STRATEGY_UNSPECIFIED
        || strategy == MigrationStrategy.UNRECOGNIZED) {
      throw new IllegalArgumentException("strategy must be PRE_COPY, POST_COPY, AUTO_CONVERGE or AUTO");
    }
    if (bandwidthBytesPerSecond < 0 || multifdChannels < 0) {
      throw new IllegalArgumentException("bandwidthBytesPerSecond and multifdChannels must not be negative");
    }
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    if (strategy == MigrationStrategy.POST_COPY && !postCopyAllowed) {
      throw new IllegalArgumentException("strategy POST_COPY needs postCopyAllowed");
    }
    maxDowntimeLimit = maxDowntimeLimit == null ? Duration.ofSeconds(2) : maxDowntimeLimit;
    stallWindow = stallWindow == null ? Duration.ofSeconds(2) : stallWindow;
    pollInterval = pollInterval == null ? Duration.ofMillis(100) : pollInterval;
  }

  /**
   * Ferry's options for {@code strategy} within {@code limits} (TLS as {@code limits.encrypted}); AUTO may raise the
   * downtime limit up to 4x the policy's target before it switches to post-copy.
   */
  public static QemuMigrationOptions from(MigrationStrategy strategy, MigrationLimits limits) {
    Duration downtime = limits.hasMaxDowntime() ? Duration.ofSeconds(limits.getMaxDowntime().getSeconds(),
        limits.getMaxDowntime().getNanos()) : null;
    Duration timeout = limits.hasTimeout() ? Duration.ofSeconds(limits.getTimeout().getSeconds(),
        limits.getTimeout().getNanos()) : Duration.ofMinutes(10);
    boolean postCopy = limits.getAllowPostCopy() || strategy == MigrationStrategy.POST_COPY;
    Duration maxDowntime = (downtime == null ? Duration.ofMillis(300) : downtime).multipliedBy(4);
    return new QemuMigrationOptions(strategy, true, downtime, maxDowntime, limits.getBandwidthBytesPerSecond(),
        postCopy,
        limits.getStreams(), "xbzrle".equals(limits.getCompression()), limits.getEncrypted(), timeout, null, null);
  }

  /** QEMU's defaults: plain {@code migrate}, no capability or parameter set. */
  public static QemuMigrationOptions qemuDefaults(Duration timeout, boolean tls) {
    return new QemuMigrationOptions(MigrationStrategy.PRE_COPY, false, null, null, 0, false, 0, false, tls,
        timeout, null, null);
  }

  public QemuMigrationOptions withBandwidth(long bytesPerSecond) {
    return new QemuMigrationOptions(strategy, setParameters, downtimeLimit, maxDowntimeLimit, bytesPerSecond,
        postCopyAllowed, multifdChannels, xbzrle, tls, timeout, stallWindow, pollInterval);
  }

  public QemuMigrationOptions withTls(boolean on) {
    return new QemuMigrationOptions(strategy, setParameters, downtimeLimit, maxDowntimeLimit,
        bandwidthBytesPerSecond, postCopyAllowed, multifdChannels, xbzrle, on, timeout, stallWindow, pollInterval);
  }

  /** Whether the postcopy-ram capability is set (on both QEMUs). */
  public boolean postCopyCapability() {
    return setParameters && postCopyAllowed && (strategy == MigrationStrategy.POST_COPY
        || strategy == MigrationStrategy.AUTO);
  }

  /** Whether multifd is used; never together with post-copy. */
  public boolean multifd() {
    return setParameters && multifdChannels > 1 && !postCopyCapability();
  }

  /** Auto-converge from the start for AUTO_CONVERGE, and for AUTO when post-copy is not allowed. */
  public boolean autoConverge() {
    return setParameters && (strategy == MigrationStrategy.AUTO_CONVERGE
        || (strategy == MigrationStrategy.AUTO && !postCopyCapability()));
  }
}
