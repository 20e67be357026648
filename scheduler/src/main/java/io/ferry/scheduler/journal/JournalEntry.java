package io.ferry.scheduler.journal;

import io.ferry.v1.MigrationPhase;
import io.ferry.v1.MigrationRecord;

/** One migration as journaled: the record and the znode version it was read at (for compare-and-set). */
public record JournalEntry(MigrationRecord record, int version) {
  public String id() {
    return record.getStatus().getMigrationId();
  }

  public MigrationPhase phase() {
    return record.getStatus().getPhase();
  }

  public boolean isFinal() {
    return isFinal(phase());
  }

  public static boolean isFinal(MigrationPhase p) {
    return p == MigrationPhase.COMMITTED || p == MigrationPhase.ROLLED_BACK || p == MigrationPhase.FAILED;
  }
}
