package io.ferry.hostagent.migration;

import io.ferry.hostagent.hypervisor.PageAccess;
import io.ferry.hostagent.hypervisor.VirtualMachine;
import io.ferry.hostagent.migration.codec.Checksums;
import io.ferry.hostagent.migration.codec.UnitStore;
import java.util.HexFormat;

/** Test helpers: checksums over a VM's memory and disks. */
public final class MemoryImages {
  private MemoryImages() {}

  /** Digest of every page except page 0 (the guest's progress counter, which moves while it runs). */
  public static String memoryWithoutCounterPage(VirtualMachine vm) {
    return HexFormat.of().formatHex(Checksums.digest(UnitStore.of(((PageAccess) vm.migrationSupport()).memory()), 1));
  }

  public static String disks(VirtualMachine vm) {
    return HexFormat.of().formatHex(Checksums.digest(((PageAccess) vm.migrationSupport()).disks()));
  }
}
