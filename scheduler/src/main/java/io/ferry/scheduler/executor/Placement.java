package io.ferry.scheduler.executor;

import io.ferry.scheduler.state.HostState;
import io.ferry.v1.HostMode;
import io.ferry.v1.PowerState;
import io.ferry.v1.VmUsage;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Hard constraints every destination must meet, and a simple choice for moves without a destination (drain):
 * the connected, powered-on host in normal mode with room for the VM's memory and the lowest CPU utilisation.
 * The planner (policies) makes the policy-driven choices; this is the safety net the executor always applies.
 */
public final class Placement {
  private Placement() {}

  /** Why {@code host} cannot take {@code vm} now, or empty when it can. */
  static Optional<String> refuse(HostState host, VmUsage vm, long reservedBytes) {
    if (!host.connected()) {
      return Optional.of("host " + host.name() + " is not connected");
    }
    if (host.power() != PowerState.POWER_ON) {
      return Optional.of("host " + host.name() + " is not powered on (" + host.power() + ")");
    }
    if (host.mode() != HostMode.HOST_MODE_NORMAL) {
      return Optional.of("host " + host.name() + " is in " + modeName(host.mode()) + " mode and takes no new VMs");
    }
    long free = capacityBytes(host) - committedBytes(host) - reservedBytes;
    if (vm.getMemoryBytes() > free) {
      return Optional.of(String.format("host %s has %d MiB of memory free (after moves already planned) but VM %s"
          + " needs %d MiB", host.name(), Math.max(0, free) >> 20, vm.getName(), vm.getMemoryBytes() >> 20));
    }
    return Optional.empty();
  }

  static Optional<HostState> choose(List<HostState> hosts, HostState source, VmUsage vm, Map<String, Long> reserved) {
    return hosts.stream()
        .filter(h -> !h.name().equals(source.name()))
        .filter(h -> refuse(h, vm, reserved.getOrDefault(h.name(), 0L)).isEmpty())
        .min(Comparator.comparingDouble((HostState h) -> h.signals().getCpu().getUtilizationRatio())
            .thenComparing(HostState::name));
  }

  /** The host's memory: as its signals measure it, else as its facts say. */
  public static long capacityBytes(HostState h) {
    long fromSignals = h.signals().getMemory().getTotalBytes();
    return fromSignals > 0 ? fromSignals : h.facts().getMemoryBytes();
  }

  /** Memory promised to the VMs on the host (their configured size, not what they touch). */
  public static long committedBytes(HostState h) {
    return h.vms().stream().mapToLong(VmUsage::getMemoryBytes).sum();
  }

  public static String modeName(HostMode m) {
    return m.name().replace("HOST_MODE_", "").toLowerCase(java.util.Locale.ROOT);
  }
}
