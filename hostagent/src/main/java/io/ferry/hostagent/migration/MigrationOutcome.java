package io.ferry.hostagent.migration;

import io.ferry.v1.MigrationPhase;
import io.ferry.v1.MigrationStats;

/**
 * How a migration ended: {@code COMMITTED} (the VM runs on the destination only), {@code ROLLED_BACK} (it runs on
 * the source only, destination cleaned) or {@code FAILED} (something needs a person: the reason says what).
 */
public record MigrationOutcome(MigrationPhase result, String reason, MigrationStats stats) {
  public static MigrationOutcome committed(MigrationStats stats) {
    return new MigrationOutcome(MigrationPhase.COMMITTED, "committed", stats);
  }

  public static MigrationOutcome rolledBack(String reason, MigrationStats stats) {
    return new MigrationOutcome(MigrationPhase.ROLLED_BACK, reason, stats);
  }

  public static MigrationOutcome failed(String reason, MigrationStats stats) {
    return new MigrationOutcome(MigrationPhase.FAILED, reason, stats);
  }

  public boolean committed() {
    return result == MigrationPhase.COMMITTED;
  }
}
