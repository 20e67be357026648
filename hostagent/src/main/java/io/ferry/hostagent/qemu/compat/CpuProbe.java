package io.ferry.hostagent.qemu.compat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferry.hostagent.qemu.qmp.QmpClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/** Reads CPU models and features from {@code /proc/cpuinfo} and from QEMU's {@code query-cpu-model-expansion}. */
public final class CpuProbe {
  private CpuProbe() {}

  /** The host CPU from a {@code /proc/cpuinfo} file (the first processor's model name and flags). */
  public static HostCpu fromCpuinfo(Path cpuinfo, String qemuVersion) {
    String model = "";
    Set<String> flags = new HashSet<>();
    try {
      for (String line : Files.readAllLines(cpuinfo)) {
        int colon = line.indexOf(':');
        if (colon < 0) {
          continue;
        }
        String key = line.substring(0, colon).trim();
        String value = line.substring(colon + 1).trim();
        if (key.equals("model name") && model.isEmpty()) {
          model = value;
        } else if (key.equals("flags") && flags.isEmpty()) {
          flags.addAll(java.util.List.of(value.split("\\s+")));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + cpuinfo, e);
    }
    return new HostCpu(model, flags, qemuVersion);
  }

  /**
   * What QEMU offers guests on this host: the full expansion of {@code model} ("host" under KVM, "max" under TCG).
   */
  public static HostCpu fromQemu(QmpClient qmp, String model, Duration timeout) {
    return new HostCpu(model, enabledFeatures(qmp, model, timeout), qmp.qemuVersion());
  }

  /**
   * The features a guest CPU model needs: the boolean properties that its full expansion turns on (e.g. what
   * "Haswell" implies), normalized.
   */
  public static Set<String> enabledFeatures(QmpClient qmp, String model, Duration timeout) {
    JsonNode props = qmp.execute("query-cpu-model-expansion",
        Map.of("type", "full", "model", Map.of("name", model)), timeout).path("model").path("props");
    Set<String> on = new HashSet<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = props.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getValue().isBoolean() && e.getValue().asBoolean()) {
        on.add(HostCpu.normalize(e.getKey()));
      }
    }
    return on;
  }
}
