package io.ferry.hostagent.migration;

import io.ferry.common.faults.Failpoints;
import io.ferry.hostagent.migration.transfer.StreamTuning;
import io.ferry.hostagent.migration.transfer.Waiter;
import io.ferry.v1.TransferChunk;
import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;

/**
 * Engine tuning that does not come with each migration request (requests carry {@code MigrationLimits}).
 *
 * @param chunkUnits pages or blocks per transfer chunk (contiguous runs)
 * @param windowChunks most unacknowledged chunks per stream (the window adapts below it to the path:
 *     {@code transfer.AckWindow})
 * @param verifyFullDigest compare a digest of all RAM and disks at the pause (adds a full scan on both sides to the
 *     downtime; a safety check the tests use, off for downtime-sensitive runs)
 * @param xbzrleCacheBytes source cache of sent pages for delta encoding (0 = off)
 * @param incomingIdleTimeout destination discards an incoming VM whose source sent nothing for this long
 * @param rpcTimeout deadline for Prepare, Switchover, Commit and Abort
 * @param defaultMaxDowntime when the request does not say
 * @param defaultMaxRounds when the request does not say
 * @param postCopyReconnectBackoff wait between reconnection attempts of a post-copy stream
 * @param ticker monotonic nanoseconds (rate limiting, bandwidth, timeouts)
 * @param waiter how rate-limited senders wait
 * @param tamper applied to every chunk sent: identity in production, corruption in fault tests
 * @param failpoints where fault tests hold a migration at a phase boundary ({@link Failpoints#NONE} in production):
 *     {@code migration.destination.prepare}, {@code migration.source.switchover} (paused, before the switchover
 *     call), {@code migration.destination.switchover} (started, before answering), {@code migration.source.commit}
 *     (local copy destroyed, before the commit call); the subject is the VM name
 * @param dataChannel whether and where this agent, as a destination, takes transfer streams on its data channel
 *     (their own TLS connections carrying length-prefixed chunks;
 *     {@link io.ferry.hostagent.migration.transfer.DataChannel}); not offered, or towards a destination without one,
 *     streams are {@code MigrationPeer.Transfer} calls
 */
public record MigrationSettings(int chunkUnits, int windowChunks, boolean verifyFullDigest, long xbzrleCacheBytes,
                                Duration incomingIdleTimeout, Duration rpcTimeout, Duration defaultMaxDowntime,
                                int defaultMaxRounds, Duration postCopyReconnectBackoff, LongSupplier ticker,
                                Waiter waiter, UnaryOperator<TransferChunk> tamper, Failpoints failpoints,
                                DataChannelOptions dataChannel) {
  public MigrationSettings {
    if (chunkUnits < 1 || chunkUnits > 1024) {
      throw new IllegalArgumentException("chunkUnits must be 1..1024, got " + chunkUnits);
    }
    if (windowChunks < 1) {
      throw new IllegalArgumentException("windowChunks must be >= 1, got " + windowChunks);
    }
    if (xbzrleCacheBytes < 0) {
      throw new IllegalArgumentException("xbzrleCacheBytes must be >= 0, got " + xbzrleCacheBytes);
    }
    requirePositive("incomingIdleTimeout", incomingIdleTimeout);
    requirePositive("rpcTimeout", rpcTimeout);
    requirePositive("defaultMaxDowntime", defaultMaxDowntime);
    requirePositive("postCopyReconnectBackoff", postCopyReconnectBackoff);
    java.util.Objects.requireNonNull(failpoints, "failpoints");
    java.util.Objects.requireNonNull(dataChannel, "dataChannel");
    if (defaultMaxRounds < 1) {
      throw new IllegalArgumentException("defaultMaxRounds must be >= 1, got " + defaultMaxRounds);
    }
  }

  /**
   * 64-page chunks, 64-chunk window, digest check on, 64 MiB XBZRLE cache, 10 s idle timeout, 300 ms downtime;
   * failpoints from the environment (none unless {@value Failpoints#FILE_ENV} is set).
   */
  public static MigrationSettings defaults() {
    return new MigrationSettings(64, 64, true, 64L << 20, Duration.ofSeconds(10), Duration.ofSeconds(30),
        Duration.ofMillis(300), 30, Duration.ofMillis(200), System::nanoTime, Waiter.PARK, UnaryOperator.identity(),
        Failpoints.fromEnvironment(), DataChannelOptions.DEFAULT);
  }

  /** How this agent's transfer streams behave: a stream stalls after the incoming idle timeout without acks. */
  public StreamTuning streamTuning() {
    return new StreamTuning(windowChunks, ticker, incomingIdleTimeout, tamper);
  }

  public MigrationSettings withVerifyFullDigest(boolean on) {
    return new MigrationSettings(chunkUnits, windowChunks, on, xbzrleCacheBytes, incomingIdleTimeout, rpcTimeout,
        defaultMaxDowntime, defaultMaxRounds, postCopyReconnectBackoff, ticker, waiter, tamper,
        failpoints, dataChannel);
  }

  public MigrationSettings withIncomingIdleTimeout(Duration timeout) {
    return new MigrationSettings(chunkUnits, windowChunks, verifyFullDigest, xbzrleCacheBytes, timeout, rpcTimeout,
        defaultMaxDowntime, defaultMaxRounds, postCopyReconnectBackoff, ticker, waiter, tamper,
        failpoints, dataChannel);
  }

  public MigrationSettings withTamper(UnaryOperator<TransferChunk> t) {
    return new MigrationSettings(chunkUnits, windowChunks, verifyFullDigest, xbzrleCacheBytes, incomingIdleTimeout,
        rpcTimeout, defaultMaxDowntime, defaultMaxRounds, postCopyReconnectBackoff, ticker, waiter, t,
        failpoints, dataChannel);
  }

  public MigrationSettings withRpcTimeout(Duration timeout) {
    return new MigrationSettings(chunkUnits, windowChunks, verifyFullDigest, xbzrleCacheBytes, incomingIdleTimeout,
        timeout, defaultMaxDowntime, defaultMaxRounds, postCopyReconnectBackoff, ticker, waiter, tamper,
        failpoints, dataChannel);
  }

  public MigrationSettings withFailpoints(Failpoints f) {
    return new MigrationSettings(chunkUnits, windowChunks, verifyFullDigest, xbzrleCacheBytes, incomingIdleTimeout,
        rpcTimeout, defaultMaxDowntime, defaultMaxRounds, postCopyReconnectBackoff, ticker, waiter, tamper, f,
        dataChannel);
  }

  public MigrationSettings withDataChannel(boolean on) {
    return withDataChannel(on ? DataChannelOptions.DEFAULT : DataChannelOptions.OFF);
  }

  public MigrationSettings withDataChannel(DataChannelOptions options) {
    return new MigrationSettings(chunkUnits, windowChunks, verifyFullDigest, xbzrleCacheBytes, incomingIdleTimeout,
        rpcTimeout, defaultMaxDowntime, defaultMaxRounds, postCopyReconnectBackoff, ticker, waiter, tamper, failpoints,
        options);
  }

  private static void requirePositive(String name, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be a positive duration, got " + d);
    }
  }
}
