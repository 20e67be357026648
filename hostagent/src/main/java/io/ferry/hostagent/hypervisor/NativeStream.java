package io.ferry.hostagent.hypervisor;

import io.ferry.v1.MigrationLimits;
import io.ferry.v1.MigrationStats;
import io.ferry.v1.MigrationStrategy;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A hypervisor's own migration stream (QEMU's). The engine keeps the orchestration (ticket, prepare, switchover
 * confirmation, commit, abort, stats); the hypervisors move the bytes between themselves. Implemented by the
 * {@code qemu} driver.
 *
 * <p>The commit point is the hypervisor's: when the source completes the stream its copy is paused for good and
 * the destination runs the guest. The source agent then asks the destination agent to confirm (the engine's
 * Switchover call) before it removes its own copy.
 */
public non-sealed interface NativeStream extends MigrationSupport {
  /** Source: prepares one outgoing migration of this VM (nothing is sent until {@link Outgoing#run}). */
  Outgoing outgoing(MigrationStrategy strategy, MigrationLimits limits);

  /**
   * Destination, on a VM from {@link Hypervisor#defineIncoming}: starts the incoming hypervisor listening on
   * {@code listenHost} (unless the driver has its own migration address), ready for what {@code strategy} needs,
   * with disk exports when {@code limits.with_storage}.
   */
  Incoming listen(MigrationStrategy strategy, MigrationLimits limits, String listenHost);

  /** The source half of one native migration. {@link #cancel} may be called from any thread. */
  interface Outgoing {
    /**
     * Sends the VM to {@code target} and blocks until the stream ends.
     *
     * @param progress called with live counters (remaining bytes, rounds) while the stream runs
     * @param recovery asked for a new target URI when a post-copy stream broke (empty: the destination is gone)
     */
    Result run(Target target, Consumer<Progress> progress, Recovery recovery);

    /** Stops the stream before its commit point; the source keeps running the VM. */
    void cancel();

    /**
     * After a COMPLETED stream whose destination could not confirm it runs the guest (and has destroyed its copy):
     * runs the guest here again.
     */
    void resumeSource();

    /** When the guest stopped executing here for the switchover (the start of its guest-visible pause). */
    Optional<Instant> pausedAt();
  }

  /** The destination half of one native migration. */
  interface Incoming {
    /** Where the source's hypervisor sends the stream (and the disks). */
    Target target();

    /** Waits until the guest runs here; false if it did not within {@code timeout} (or the hypervisor died). */
    boolean awaitRunning(Duration timeout);

    /** When the guest began executing here, once it has. */
    Optional<Instant> resumedAt();

    /** Whether the incoming hypervisor is still alive (a dead one is discarded). */
    boolean alive();

    /** Post-copy recovery: listens again; returns the URI the source resumes to. */
    String recover(String listenHost);

    /** Ends the migration on this side once the guest runs here (e.g. stops disk exports). */
    void finish();
  }

  /** Where the stream goes: the migration URI and, for storage migration, the disk export URI (or empty). */
  record Target(String streamUri, String storageUri) {}

  /** Live counters of a running stream. */
  record Progress(long remainingBytes, int rounds, double dirtyRateBytesPerSecond, MigrationStrategy strategyInUse) {}

  /** Post-copy recovery, as the source asks for it. */
  interface Recovery {
    Optional<String> newStreamUri();
  }

  /**
   * How a stream ended. COMPLETED: the destination has the guest, the source copy is paused and must only be removed.
   * CANCELLED / FAILED: the source still runs the guest unless {@code sourceLost} (a post-copy stream that failed).
   */
  record Result(Outcome outcome, String reason, MigrationStrategy strategyInUse, MigrationStats stats,
                boolean sourceLost) {
    public enum Outcome { COMPLETED, CANCELLED, FAILED }

    public boolean completed() {
      return outcome == Outcome.COMPLETED;
    }
  }
}
