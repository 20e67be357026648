package io.ferry.hostagent.hypervisor;

import java.util.List;

/** Direct access to a VM's memory, disks and device state, for the engine's own page stream. */
public non-sealed interface PageAccess extends MigrationSupport {
  GuestMemory memory();

  List<BlockDevice> disks();

  /** Opaque device state (vCPU registers, device models) taken while paused. */
  byte[] saveDeviceState();

  /** Restores device state saved on the source, before the first {@link VirtualMachine#start()}. */
  void loadDeviceState(byte[] state);
}
