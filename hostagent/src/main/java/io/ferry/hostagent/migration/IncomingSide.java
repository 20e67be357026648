package io.ferry.hostagent.migration;

import io.ferry.v1.SwitchoverRequest;
import io.ferry.v1.SwitchoverResponse;

/**
 * The destination's side of one migration, whoever moves the bytes: {@link IncomingMigration} receives the engine's
 * own page stream, {@link NativeIncomingMigration} watches a hypervisor receive its native stream.
 */
sealed interface IncomingSide permits IncomingMigration, NativeIncomingMigration {
  enum State { PREPARED, RUNNING, COMMITTED, DISCARDED }

  String migrationId();

  State state();

  /** Confirms the guest runs here (starting it first, for the engine's stream); throws the status to report. */
  SwitchoverResponse switchover(SwitchoverRequest request);

  void commit();

  /** Destroys the incoming VM unless the migration committed. Idempotent; true if it is discarded. */
  boolean discard(String reason);

  /**
   * Called by the watchdog: whether this migration should be discarded because its source is gone (nothing heard for
   * {@code idleLimitNanos}, or the incoming hypervisor died) while the guest does not run here.
   */
  boolean abandoned(long idleLimitNanos);
}
