package io.ferry.hostagent.qemu.compat;

import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * Refuses a migration to a host whose CPU lacks a feature the VM's CPU model needs. The verdict is a value: the
 * scheduler shows its message as the reason.
 */
public final class CpuCompatibility {
  private CpuCompatibility() {}

  /** Whether the destination can run the VM, and if not, which features it lacks. */
  public record Verdict(boolean compatible, List<String> missingFeatures, String message) {
    static Verdict ok(String host) {
      return new Verdict(true, List.of(), host + " offers every CPU feature the VM needs");
    }
  }

  /**
   * @param vm the VM's name, for the message
   * @param required features the VM's CPU model needs (any spelling: sse4_2, sse4.2)
   * @param destination the destination host's CPU
   * @param destinationName the destination host's name, for the message
   */
  public static Verdict check(String vm, Collection<String> required, HostCpu destination, String destinationName) {
    TreeSet<String> missing = new TreeSet<>();
    for (String f : required) {
      String n = HostCpu.normalize(f);
      if (!destination.features().contains(n)) {
        missing.add(n);
      }
    }
    if (missing.isEmpty()) {
      return Verdict.ok(destinationName);
    }
    return new Verdict(false, List.copyOf(missing), "cannot migrate VM " + vm + " to " + destinationName
        + ": its CPU lacks " + String.join(", ", missing) + " (needed by the VM's CPU model)");
  }
}
