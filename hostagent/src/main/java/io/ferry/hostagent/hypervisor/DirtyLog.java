package io.ferry.hostagent.hypervisor;

/** Dirty tracking of pages or blocks: the engine takes a snapshot per round, which clears the log atomically. */
public interface DirtyLog {
  /** The units written since the previous snapshot; the log restarts empty. */
  DirtyBitmap snapshotAndClear();

  /** How many units are dirty now (approximate while the guest runs). */
  long dirtyCount();

  /** A log backed by a {@link DirtyBitmap} that writers set. */
  static DirtyLog of(DirtyBitmap bits) {
    return new DirtyLog() {
      @Override
      public DirtyBitmap snapshotAndClear() {
        return bits.snapshotAndClear();
      }

      @Override
      public long dirtyCount() {
        return bits.cardinality();
      }
    };
  }
}
