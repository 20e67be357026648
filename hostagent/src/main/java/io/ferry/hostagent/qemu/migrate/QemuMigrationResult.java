package io.ferry.hostagent.qemu.migrate;

import io.ferry.v1.MigrationStats;
import io.ferry.v1.MigrationStrategy;
import java.util.List;

/**
 * How a migration ended, as a value. COMPLETED: the destination has the VM (the source is paused in postmigrate and
 * is the caller's to quit once the destination confirms it runs). CANCELLED / FAILED: the source still runs the VM
 * (unless post-copy had already started, which {@code reason} says); the destination is the caller's to kill.
 *
 * @param strategyInUse the strategy in force at the end (AUTO may have escalated to POST_COPY)
 * @param notes facts worth logging (parameters QEMU lacks, escalation steps)
 */
public record QemuMigrationResult(Outcome outcome, String reason, MigrationStrategy strategyInUse,
    MigrationStats stats, List<String> notes) {
  /** The end state of a migration. */
  public enum Outcome { COMPLETED, CANCELLED, FAILED }

  public boolean completed() {
    return outcome == Outcome.COMPLETED;
  }
}
