package io.ferry.hostagent.qemu.compat;

import java.util.Set;
import java.util.TreeSet;

/**
 * A host's CPU as migration compatibility sees it.
 *
 * @param model the CPU model name ("/proc/cpuinfo" model name, or the QEMU model expanded)
 * @param features normalized feature names (see {@link #normalize}) the host offers to guests
 * @param qemuVersion the QEMU version, "" when unknown
 */
public record HostCpu(String model, Set<String> features, String qemuVersion) {
  public HostCpu {
    TreeSet<String> n = new TreeSet<>();
    features.forEach(f -> n.add(normalize(f)));
    features = java.util.Collections.unmodifiableSet(n);
  }

  /** Feature names are compared lower case with '-' for '_' and '.': /proc says sse4_2, QEMU sse4.2 or sse4-2. */
  public static String normalize(String feature) {
    return feature.trim().toLowerCase(java.util.Locale.ROOT).replace('_', '-').replace('.', '-');
  }
}
