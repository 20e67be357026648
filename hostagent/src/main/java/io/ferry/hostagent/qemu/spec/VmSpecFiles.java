package io.ferry.hostagent.qemu.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.ferry.v1.DiskSpec;
import io.ferry.v1.NetworkSpec;
import io.ferry.v1.SimWorkload;
import io.ferry.v1.VmSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Reads a VM spec file (YAML or JSON; format in docs/vm-spec.md) into a {@link VmSpec}. Everything is validated
 * before anything starts; each problem is a {@link VmSpecException} naming {@code file:line}. Relative disk paths
 * and the {@code serialLog} option are resolved against the spec file's directory.
 */
public final class VmSpecFiles {
  private static final Set<String> TOP = Set.of("name", "vcpus", "memoryMiB", "memoryBytes", "cpuModel",
      "cpuFeatures", "machine", "accelerator", "disks", "networks", "labels", "options", "sim");
  private static final Set<String> DISK = Set.of("path", "format", "sizeBytes", "readOnly");
  private static final Set<String> NETWORK = Set.of("type", "ifname", "bridge", "mac");
  private static final Set<String> SIM = Set.of("dirtyMiBps", "pattern", "hotSetRatio", "cpuCores", "diskWriteMiBps",
      "memoryTouchedMiB");

  private VmSpecFiles() {}

  public static VmSpec parse(Path file) {
    try {
      return parse(Files.readString(file), file.toString(), file.toAbsolutePath().getParent());
    } catch (IOException e) {
      throw new VmSpecException(file.toString(), 1, "cannot read the spec file: " + e.getMessage());
    }
  }

  /** Parses {@code text}; {@code fileName} is for messages, relative disk paths resolve against {@code baseDir}. */
  public static VmSpec parse(String text, String fileName, Path baseDir) {
    JsonNode root;
    LineIndex lines;
    try {
      root = new YAMLMapper().readTree(text);
      lines = new LineIndex(text);
    } catch (JsonProcessingException e) {
      int line = e.getLocation() == null ? 1 : e.getLocation().getLineNr();
      throw new VmSpecException(fileName, line, "not valid YAML or JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new VmSpecException(fileName, 1, "not valid YAML or JSON: " + e.getMessage());
    }
    return new Reader(fileName, lines, baseDir).spec(root);
  }

  private record Reader(String file, LineIndex lines, Path baseDir) {
    VmSpec spec(JsonNode root) {
      if (root == null || !root.isObject()) {
        throw error("", "a VM spec is a mapping with at least name, memoryMiB and disks");
      }
      allowOnly(root, "", TOP);
      VmSpec.Builder b = VmSpec.newBuilder();
      String name = text(root, "name", true);
      if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")) {
        throw error("name", "name must be 1-63 letters, digits, '.', '_' or '-' (it names files), got '" + name
            + "'");
      }
      b.setName(name);
      b.setVcpus((int) number(root, "vcpus", 1, 1, 512));
      if (root.has("memoryMiB") == root.has("memoryBytes")) {
        throw error(root.has("memoryMiB") ? "memoryBytes" : "", "give exactly one of memoryMiB and memoryBytes");
      }
      long memory = root.has("memoryMiB") ? number(root, "memoryMiB", 0, 16, 1 << 22) << 20
          : number(root, "memoryBytes", 0, 16L << 20, 1L << 42);
      if (memory % (1 << 20) != 0) {
        throw error("memoryBytes", "memoryBytes must be a whole number of MiB, got " + memory);
      }
      b.setMemoryBytes(memory);
      b.setCpuModel(text(root, "cpuModel", false));
      for (int i = 0; i < root.path("cpuFeatures").size(); i++) {
        b.addCpuFeatures(root.path("cpuFeatures").get(i).asText());
      }
      b.setMachine(text(root, "machine", false));
      String accel = text(root, "accelerator", false);
      if (!Set.of("", "kvm", "tcg", "auto").contains(accel)) {
        throw error("accelerator", "accelerator must be kvm, tcg or auto, got '" + accel + "'");
      }
      b.setAccelerator(accel.isEmpty() ? "auto" : accel);
      JsonNode disks = root.path("disks");
      if (!disks.isArray() || disks.isEmpty()) {
        throw error("disks", "disks must list at least one disk (the first one boots)");
      }
      for (int i = 0; i < disks.size(); i++) {
        b.addDisks(disk(disks.get(i), "disks[" + i + "]"));
      }
      JsonNode nets = root.path("networks");
      for (int i = 0; i < nets.size(); i++) {
        b.addNetworks(network(nets.get(i), "networks[" + i + "]"));
      }
      b.putAllLabels(strings(root, "labels"));
      Map<String, String> options = new java.util.TreeMap<>(strings(root, "options"));
      options.computeIfPresent("serialLog", (k, v) -> resolve(v));
      b.putAllOptions(options);
      if (root.has("sim")) {
        b.setSim(sim(root.get("sim"), memory));
      }
      return b.build();
    }

    /** The workload a sim VM runs (the qemu driver ignores it): how its vCPUs use CPU and write memory and disk. */
    SimWorkload sim(JsonNode w, long memoryBytes) {
      allowOnly(w, "sim", SIM);
      String pattern = text(w, "pattern", false, "sim");
      if (!Set.of("", "uniform", "hot", "sequential").contains(pattern)) {
        throw error("sim.pattern", "sim.pattern must be uniform, hot or sequential, got '" + pattern + "'");
      }
      long touched = (long) (decimal(w, "sim", "memoryTouchedMiB", 0, memoryBytes >> 20) * (1 << 20));
      return SimWorkload.newBuilder()
          .setDirtyRateBytesPerSecond(decimal(w, "sim", "dirtyMiBps", 0, 1 << 20) * (1 << 20))
          .setPattern(pattern.isEmpty() ? "uniform" : pattern)
          .setHotSetRatio(decimal(w, "sim", "hotSetRatio", 0, 1))
          .setCpuDemandCores(decimal(w, "sim", "cpuCores", 0, 512))
          .setDiskWriteBytesPerSecond(decimal(w, "sim", "diskWriteMiBps", 0, 1 << 20) * (1 << 20))
          .setMemoryTouchedBytes(touched - touched % 4096).build();
    }

    double decimal(JsonNode node, String at, String field, double min, double max) {
      JsonNode v = node.get(field);
      if (v == null) {
        return 0;
      }
      String path = at + "." + field;
      if (!v.isNumber()) {
        throw error(path, path + " must be a number, got '" + v.asText() + "'");
      }
      double d = v.asDouble();
      if (d < min || d > max) {
        throw error(path, path + " must be between " + (long) min + " and " + (long) max + ", got " + v.asText());
      }
      return d;
    }

    DiskSpec disk(JsonNode d, String at) {
      allowOnly(d, at, DISK);
      String path = text(d, "path", true, at);
      String format = text(d, "format", false, at);
      if (!Set.of("", "raw", "qcow2").contains(format)) {
        throw error(at + ".format", "disk format must be raw or qcow2, got '" + format + "'");
      }
      return DiskSpec.newBuilder().setPath(resolve(path)).setFormat(format.isEmpty() ? "raw" : format)
          .setSizeBytes(d.path("sizeBytes").asLong()).setReadOnly(d.path("readOnly").asBoolean()).build();
    }

    String resolve(String path) {
      return (baseDir == null ? Path.of(path) : baseDir.resolve(path)).normalize().toString();
    }

    NetworkSpec network(JsonNode n, String at) {
      allowOnly(n, at, NETWORK);
      String type = text(n, "type", true, at);
      if (!Set.of("user", "tap", "bridge", "none").contains(type)) {
        throw error(at + ".type", "network type must be user, tap, bridge or none, got '" + type + "'");
      }
      if (type.equals("tap") && text(n, "ifname", false, at).isEmpty()) {
        throw error(at, "a tap network needs ifname");
      }
      if (type.equals("bridge") && text(n, "bridge", false, at).isEmpty()) {
        throw error(at, "a bridge network needs bridge");
      }
      return NetworkSpec.newBuilder().setType(type).setIfname(text(n, "ifname", false, at))
          .setBridge(text(n, "bridge", false, at)).setMac(text(n, "mac", false, at)).build();
    }

    Map<String, String> strings(JsonNode root, String field) {
      JsonNode m = root.path(field);
      if (m.isMissingNode()) {
        return Map.of();
      }
      if (!m.isObject()) {
        throw error(field, field + " must be a mapping of names to text");
      }
      Map<String, String> out = new java.util.TreeMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = m.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        out.put(e.getKey(), e.getValue().asText());
      }
      return out;
    }

    void allowOnly(JsonNode node, String at, Set<String> allowed) {
      if (!node.isObject()) {
        throw error(at, (at.isEmpty() ? "the spec" : at) + " must be a mapping");
      }
      for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
        String f = it.next();
        if (!allowed.contains(f)) {
          throw error(at.isEmpty() ? f : at + "." + f, "unknown field '" + f + "' (allowed: "
              + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
        }
      }
    }

    String text(JsonNode node, String field, boolean required) {
      return text(node, field, required, "");
    }

    String text(JsonNode node, String field, boolean required, String at) {
      JsonNode v = node.get(field);
      String path = at.isEmpty() ? field : at + "." + field;
      if (v == null || v.isNull()) {
        if (required) {
          throw error(at, field + " is required");
        }
        return "";
      }
      if (!v.isValueNode()) {
        throw error(path, field + " must be text");
      }
      return v.asText().trim();
    }

    long number(JsonNode node, String field, long dflt, long min, long max) {
      JsonNode v = node.get(field);
      if (v == null) {
        return dflt;
      }
      if (!v.canConvertToLong() || !v.isIntegralNumber()) {
        throw error(field, field + " must be a whole number, got '" + v.asText() + "'");
      }
      long n = v.asLong();
      if (n < min || n > max) {
        throw error(field, field + " must be between " + min + " and " + max + ", got " + n);
      }
      return n;
    }

    VmSpecException error(String path, String problem) {
      return new VmSpecException(file, lines.line(path), problem);
    }
  }
}
