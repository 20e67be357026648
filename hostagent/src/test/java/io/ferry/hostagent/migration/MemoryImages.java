package io.ferry.hostagent.migration;

import io.ferry.hostagent.hypervisor.PageAccess;
import io.ferry.hostagent.hypervisor.VirtualMachine;
import io.ferry.hostagent.migration.codec.Checksums;
import io.ferry.hostagent.migration.codec.UnitStore;
import io.ferry.v1.ChunkKind;
import java.nio.ByteBuffer;
import java.util.HexFormat;

/** Test helpers: checksums over a VM's memory and disks. */
final class MemoryImages {
  private MemoryImages() {}

  /** Digest of every page except page 0 (the guest's progress counter, which moves while it runs). */
  static String memoryWithoutCounterPage(VirtualMachine vm) {
    var memory = ((PageAccess) vm.migrationSupport()).memory();
    UnitStore all = UnitStore.of(memory);
    UnitStore skipFirst = new UnitStore() {
      @Override public ChunkKind kind() { return ChunkKind.RAM; }
      @Override public int disk() { return 0; }
      @Override public int unitBytes() { return all.unitBytes(); }
      @Override public long unitCount() { return all.unitCount() - 1; }
      @Override public void read(long index, ByteBuffer dst) { all.read(index + 1, dst); }
      @Override public boolean write(long index, ByteBuffer src) { throw new UnsupportedOperationException(); }
    };
    return HexFormat.of().formatHex(Checksums.digest(skipFirst));
  }

  static String disks(VirtualMachine vm) {
    return HexFormat.of().formatHex(Checksums.digest(((PageAccess) vm.migrationSupport()).disks()));
  }
}
