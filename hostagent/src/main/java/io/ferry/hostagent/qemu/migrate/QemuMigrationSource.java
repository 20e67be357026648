package io.ferry.hostagent.qemu.migrate;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferry.hostagent.qemu.launch.QemuVm;
import io.ferry.hostagent.qemu.migrate.QemuMigrationResult.Outcome;
import io.ferry.hostagent.qemu.qmp.QmpClient;
import io.ferry.hostagent.qemu.qmp.QmpEvent;
import io.ferry.hostagent.qemu.qmp.QmpException;
import io.ferry.v1.MigrationStrategy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source agent's side of a QEMU migration: sets capabilities and parameters, mirrors disks first when asked,
 * runs {@code migrate}, follows {@code query-migrate} and MIGRATION events, applies the strategy and returns how it
 * ended as a {@link QemuMigrationResult}. {@link #cancel} may be called from any thread. One instance per migration.
 */
public final class QemuMigrationSource {
  private static final Logger log = LoggerFactory.getLogger(QemuMigrationSource.class);

  /**
   * Post-copy recovery, asked for when the migration stream broke during post-copy (the guest is paused on both
   * hosts): the destination agent runs {@link QemuMigrationDestination#recover} and returns the URI to resume to,
   * or empty if the destination is gone (then the VM is lost with it, which the result says).
   */
  public interface PostCopyRecovery {
    Optional<String> recover();
  }

  private final QemuVm vm;
  private final Clock clock;
  private final Duration qmpTimeout;
  private final List<String> notes = new ArrayList<>();
  private final MigrationStatsReader stats = new MigrationStatsReader();
  private volatile boolean cancelRequested;
  private final CompletableFuture<Void> cancelSignal = new CompletableFuture<>();
  private volatile boolean timedOut;
  private boolean postCopyRequested;
  private volatile java.util.function.Consumer<JsonNode> sampleListener = q -> { };

  public QemuMigrationSource(QemuVm vm, Clock clock, Duration qmpTimeout) {
    this.vm = vm;
    this.clock = clock;
    this.qmpTimeout = qmpTimeout;
  }

  /** Calls {@code listener} with every {@code query-migrate} answer while the migration runs (its progress). */
  public QemuMigrationSource onSample(java.util.function.Consumer<JsonNode> listener) {
    this.sampleListener = listener;
    return this;
  }

  /** Asks QEMU to cancel; {@link #migrate} then returns CANCELLED and the source keeps running the VM. */
  public void cancel() {
    cancelRequested = true;
    cancelSignal.complete(null);
    try {
      vm.qmp().execute("migrate_cancel", qmpTimeout);
    } catch (QmpException e) {
      log.warn("VM {}: migrate_cancel failed: {}", vm.name(), e.getMessage());
    }
  }

  /** Post-copy recovery, source half: resumes the paused migration to the destination's new {@code uri}. */
  public void resume(String uri) {
    vm.qmp().execute("migrate", Map.of("uri", uri, "resume", true), qmpTimeout);
  }

  /**
   * Migrates the VM to {@code uri} (from {@link QemuMigrationDestination#uri}) and blocks until it ends.
   *
   * @param tlsDir QEMU's TLS directory, required when {@code options.tls()}
   * @param storage the destination's NBD exports when disks migrate too
   */
  public QemuMigrationResult migrate(String uri, QemuMigrationOptions options, Optional<Path> tlsDir,
      Optional<NbdExport> storage, PostCopyRecovery recovery) {
    QmpClient qmp = vm.qmp();
    Instant start = clock.instant();
    try {
      configure(options, tlsDir);
      Optional<StorageMirror.Mirror> mirror = Optional.empty();
      if (storage.isPresent()) {
        mirror = Optional.of(StorageMirror.start(vm, storage.get(), qmpTimeout));
        if (!mirror.get().awaitReady(options.timeout(), cancelSignal) && !cancelRequested) {
          mirror.get().abandon();
          return result(Outcome.FAILED, "disk mirror not ready within " + options.timeout().toSeconds() + " s",
              options.strategy(), qmp.execute("query-migrate", qmpTimeout));
        }
        if (cancelRequested) {
          mirror.get().abandon();
          return result(Outcome.CANCELLED, "cancelled while the disks were mirrored", options.strategy(),
              qmp.execute("query-migrate", qmpTimeout));
        }
        notes.add("disks in sync (" + storage.get().exportNames() + ")");
      }
      if (cancelRequested) {
        return result(Outcome.CANCELLED, "cancelled before the transfer started", options.strategy(),
            qmp.execute("query-migrate", qmpTimeout));
      }
      qmp.execute("migrate", Map.of("uri", uri), qmpTimeout);
      if (cancelRequested) {
        cancel(); // asked between the check above and migrate: QEMU has not seen that cancel
      }
      return follow(options, start, mirror, recovery);
    } catch (QmpException e) {
      return new QemuMigrationResult(Outcome.FAILED, "QMP on the source failed: " + e.getMessage(),
          options.strategy(), io.ferry.v1.MigrationStats.getDefaultInstance(), List.copyOf(notes));
    }
  }

  private void configure(QemuMigrationOptions o, Optional<Path> tlsDir) {
    QmpClient qmp = vm.qmp();
    if (o.tls()) {
      MigrationTls.addCredentials(qmp, tlsDir.orElseThrow(
          () -> new IllegalArgumentException("TLS is on but no TLS directory was given")), false, qmpTimeout);
    }
    MigrationCapabilities.apply(qmp, o, true, qmpTimeout);
    if (o.bandwidthBytesPerSecond() > 0 || o.setParameters()) {
      // Ferry's options without a cap mean uncapped; QEMU's own default would hold the stream at 128 MiB/s
      qmp.execute("migrate-set-parameters", Map.of("max-bandwidth", o.bandwidthBytesPerSecond() > 0
          ? o.bandwidthBytesPerSecond() : QemuMigrationOptions.UNCAPPED_BYTES_PER_SECOND), qmpTimeout);
    }
    if (!o.setParameters()) {
      return;
    }
    if (o.downtimeLimit() != null) {
      qmp.execute("migrate-set-parameters", Map.of("downtime-limit", o.downtimeLimit().toMillis()), qmpTimeout);
    }
    if (o.bandwidthBytesPerSecond() > 0) {
      JsonNode params = qmp.execute("query-migrate-parameters", qmpTimeout);
      if (params.has("avail-switchover-bandwidth")) {
        qmp.execute("migrate-set-parameters", Map.of("avail-switchover-bandwidth", o.bandwidthBytesPerSecond()),
            qmpTimeout);
      } else {
        notes.add("QEMU " + qmp.qemuVersion() + " has no avail-switchover-bandwidth parameter; not set");
      }
    }
    if (o.multifdChannels() > 1 && !o.multifd()) {
      notes.add("multifd off: QEMU cannot combine it with post-copy");
    }
  }

  private QemuMigrationResult follow(QemuMigrationOptions o, Instant start, Optional<StorageMirror.Mirror> mirror,
      PostCopyRecovery recovery) {
    QmpClient qmp = vm.qmp();
    Duration initialDowntime = o.downtimeLimit() == null ? Duration.ofMillis(300) : o.downtimeLimit();
    AutoStrategy auto = new AutoStrategy(initialDowntime, o.maxDowntimeLimit(), o.stallWindow(),
        o.postCopyCapability());
    MigrationStrategy inUse = o.strategy() == MigrationStrategy.AUTO ? MigrationStrategy.PRE_COPY : o.strategy();
    boolean postCopyStarted = false;
    while (true) {
      CompletableFuture<QmpEvent> next = qmp.nextEvent("MIGRATION", e -> true);
      JsonNode q = qmp.execute("query-migrate", qmpTimeout);
      stats.sample(q);
      sampleListener.accept(q);
      String status = q.path("status").asText();
      switch (status) {
        case "completed" -> {
          next.cancel(false);
          q = settledStats(q, o.pollInterval());
          mirror.ifPresent(m -> {
            stats.diskBytes(m.bytesCopied());
            m.complete();
          });
          return result(Outcome.COMPLETED, "completed", inUse, q);
        }
        case "failed" -> {
          next.cancel(false);
          mirror.ifPresent(StorageMirror.Mirror::abandon);
          String why = q.path("error-desc").asText("QEMU reported failure");
          return result(Outcome.FAILED, postCopyStarted ? "failed during post-copy (the VM is lost with the "
              + "destination): " + why : why, inUse, q);
        }
        case "cancelled" -> {
          next.cancel(false);
          mirror.ifPresent(StorageMirror.Mirror::abandon);
          return result(Outcome.CANCELLED, timedOut ? "timed out after " + o.timeout().toSeconds() + " s"
              : "cancelled", inUse, q);
        }
        case "postcopy-paused" -> {
          Optional<String> again = recovery.recover();
          if (again.isEmpty()) {
            next.cancel(false);
            return result(Outcome.FAILED, "post-copy stream broke and the destination cannot recover; the VM is "
                + "paused on the source", inUse, q);
          }
          notes.add("post-copy stream broke; resumed to " + again.get());
          resume(again.get());
        }
        default -> {
          postCopyStarted |= postCopyRequested || status.startsWith("postcopy");
          Instant now = clock.instant();
          if (!postCopyStarted && !cancelRequested && now.isAfter(start.plus(o.timeout()))) {
            timedOut = true;
            cancel();
          }
          if (!postCopyRequested && "active".equals(status)) {
            inUse = steer(o, auto, q, now, inUse);
          }
        }
      }
      awaitQuietly(next, o.pollInterval());
    }
  }

  // QEMU sets "completed" a moment before it fills in total-time and downtime: read again until they are there.
  private JsonNode settledStats(JsonNode q, Duration pollInterval) {
    for (int i = 0; i < 50 && q.path("total-time").asLong() == 0; i++) {
      awaitQuietly(vm.qmp().nextEvent("MIGRATION", e -> false), pollInterval);
      q = vm.qmp().execute("query-migrate", qmpTimeout);
    }
    return q;
  }

  private MigrationStrategy steer(QemuMigrationOptions o, AutoStrategy auto, JsonNode q, Instant now,
      MigrationStrategy inUse) {
    long rounds = q.path("ram").path("dirty-sync-count").asLong();
    long remaining = q.path("ram").path("remaining").asLong();
    if (o.strategy() == MigrationStrategy.POST_COPY && rounds >= 2) {
      startPostCopy("strategy POST_COPY: first pass done");
      return MigrationStrategy.POST_COPY;
    }
    if (o.strategy() != MigrationStrategy.AUTO) {
      return inUse;
    }
    AutoStrategy.Action a = auto.sample(now, remaining, rounds);
    if (a instanceof AutoStrategy.Action.RaiseDowntime r) {
      vm.qmp().execute("migrate-set-parameters", Map.of("downtime-limit", r.limit().toMillis()), qmpTimeout);
      notes.add("remaining RAM stopped shrinking at " + (remaining >> 20) + " MiB: downtime limit raised to "
          + r.limit().toMillis() + " ms");
      log.info("VM {}: migration not converging ({} MiB left); downtime limit raised to {} ms", vm.name(),
          remaining >> 20, r.limit().toMillis());
    } else if (a instanceof AutoStrategy.Action.StartPostCopy) {
      startPostCopy("remaining RAM still not shrinking at the maximum downtime limit");
      return MigrationStrategy.POST_COPY;
    }
    return inUse;
  }

  private void startPostCopy(String why) {
    postCopyRequested = true;
    vm.qmp().execute("migrate-start-postcopy", qmpTimeout);
    notes.add("switched to post-copy: " + why);
    log.info("VM {}: switching the migration to post-copy ({})", vm.name(), why);
  }

  private QemuMigrationResult result(Outcome outcome, String reason, MigrationStrategy inUse, JsonNode q) {
    log.info("VM {}: migration {} ({}); {}", vm.name(), outcome, reason, notes);
    return new QemuMigrationResult(outcome, reason, inUse, stats.stats(q), List.copyOf(notes));
  }

  private static void awaitQuietly(CompletableFuture<QmpEvent> next, Duration limit) {
    try {
      next.get(limit.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while following a migration", e);
    } catch (ExecutionException | TimeoutException e) {
      next.cancel(false);
    }
  }
}
