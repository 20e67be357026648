package io.ferry.hostagent.migration;

import io.ferry.hostagent.hypervisor.BlockDevice;
import io.ferry.hostagent.hypervisor.DirtyBitmap;
import io.ferry.hostagent.hypervisor.PageAccess;
import java.util.ArrayList;
import java.util.List;

/** Units of one VM to send: pages of its memory and blocks of each disk (in the VM's disk order). */
record DirtySet(DirtyBitmap memory, List<DirtyBitmap> disks) {

  /** Every page and block. */
  static DirtySet everything(PageAccess access) {
    List<DirtyBitmap> disks = new ArrayList<>();
    for (BlockDevice d : access.disks()) {
      disks.add(allSet(d.blockCount()));
    }
    return new DirtySet(allSet(access.memory().pageCount()), disks);
  }

  /** What the guest wrote since the previous snapshot; the dirty logs restart empty. */
  static DirtySet snapshot(PageAccess access) {
    List<DirtyBitmap> disks = new ArrayList<>();
    for (BlockDevice d : access.disks()) {
      disks.add(d.dirtyLog().snapshotAndClear());
    }
    return new DirtySet(access.memory().dirtyLog().snapshotAndClear(), disks);
  }

  /** Adds {@code other}'s units to this set. */
  DirtySet or(DirtySet other) {
    memory.or(other.memory);
    for (int i = 0; i < disks.size(); i++) {
      disks.get(i).or(other.disks.get(i));
    }
    return this;
  }

  long bytes(PageAccess access) {
    long n = memory.cardinality() * access.memory().pageSizeBytes();
    for (int i = 0; i < disks.size(); i++) {
      n += disks.get(i).cardinality() * access.disks().get(i).blockSizeBytes();
    }
    return n;
  }

  private static DirtyBitmap allSet(long n) {
    DirtyBitmap b = new DirtyBitmap(n);
    b.setAll();
    return b;
  }
}
