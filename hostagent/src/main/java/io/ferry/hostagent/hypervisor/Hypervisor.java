package io.ferry.hostagent.hypervisor;

import io.ferry.v1.VmSpec;
import io.ferry.v1.VmUsage;
import java.util.List;
import java.util.Optional;

/**
 * A hypervisor driver ({@code sim}, {@code qemu}): the VMs of one host and how they migrate.
 *
 * <p>Every VM a driver knows is either a normal VM ({@link #define}) or an incoming migration target
 * ({@link #defineIncoming}), which is never reported as running until the migration engine starts it.
 */
public interface Hypervisor extends AutoCloseable {
  /** Driver name as reported in HostFacts: {@code "sim"} or {@code "qemu"}. */
  String name();

  /** Host this driver runs on; stamped on every {@link VmEvent}. */
  String hostName();

  /** Creates a stopped VM from {@code spec}. Throws if a VM of that name exists. */
  VirtualMachine define(VmSpec spec);

  /**
   * Creates the empty, stopped destination copy of an incoming migration: memory and disks allocated, zeroed, not
   * running. The migration engine fills it and either starts it or destroys it.
   */
  VirtualMachine defineIncoming(VmSpec spec);

  /**
   * Why this host cannot receive a VM of {@code spec} (e.g. its CPU lacks features the VM's CPU model needs), or
   * empty. Checked before an incoming migration is prepared.
   */
  default Optional<String> refuseIncoming(VmSpec spec) {
    return Optional.empty();
  }

  Optional<VirtualMachine> find(String name);

  /** Every VM with its measured usage (what the host signals and the scheduler see). */
  List<VmUsage> list();

  /**
   * Removes what incoming migrations interrupted by a crash left behind (half-copied disks, reservations).
   * Called once when the agent starts, before it accepts migrations. Returns the names cleaned.
   */
  List<String> discardIncomingLeftovers();

  /** The start/stop log of this host's VMs (used to prove a VM never ran on two hosts). */
  VmEventLog events();

  @Override
  void close();
}
