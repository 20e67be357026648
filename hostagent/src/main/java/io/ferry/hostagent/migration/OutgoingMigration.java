package io.ferry.hostagent.migration;

import io.ferry.v1.MigrationStats;

/**
 * One outgoing migration as the engine runs it: {@link SourceMigration} streams pages itself,
 * {@link NativeSourceMigration} drives a hypervisor's own stream. {@link #run} ends the migration's progress.
 */
interface OutgoingMigration extends Runnable {
  /** Counters so far, for status reports while the migration runs. */
  MigrationStats liveStats();
}
