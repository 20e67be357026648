package io.ferry.benchmarks.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * docs/benchmarks.md as a set of named sections, each rewritten by the benchmark that owns it. The file is produced
 * by {@code ferry bench}, never edited by hand: a run of one benchmark replaces its section and keeps the others.
 */
public final class BenchReport {
  private static final Pattern SECTION =
      Pattern.compile("<!-- bench:([a-z-]+):start -->\\n(.*?)<!-- bench:\\1:end -->\\n", Pattern.DOTALL);

  private BenchReport() {}

  /** Replaces (or adds) section {@code name} in {@code file} and refreshes the header's machine description. */
  public static void write(Path file, String name, String markdown) {
    Map<String, String> sections = new LinkedHashMap<>();
    try {
      if (Files.exists(file)) {
        Matcher m = SECTION.matcher(Files.readString(file));
        while (m.find()) {
          sections.put(m.group(1), m.group(2));
        }
      }
      sections.put(name, markdown.endsWith("\n") ? markdown : markdown + "\n");
      StringBuilder b = new StringBuilder();
      b.append("# Ferry benchmarks\n\n")
          .append("Produced by `ferry bench all` (or `ferry bench NAME` for one section); do not edit by hand.\n")
          .append("Benchmarks are never timed assertions in tests. Comparisons are ratios measured in the same run.\n\n")
          .append("Machine of the last run: ").append(machine()).append("\n\n");
      sections.forEach((k, v) -> b.append("<!-- bench:").append(k).append(":start -->\n").append(v)
          .append("<!-- bench:").append(k).append(":end -->\n\n"));
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, b.toString().stripTrailing() + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** Cores, memory, CPU model, JDK and date of this machine. */
  public static String machine() {
    String cpu = "unknown CPU";
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          cpu = line.substring(line.indexOf(':') + 1).trim();
          break;
        }
      }
    } catch (IOException | RuntimeException ignored) {
      // not Linux: keep "unknown CPU"
    }
    long mem = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getTotalMemorySize();
    return String.format(Locale.ROOT, "%d cores (%s), %.0f GiB RAM, %s %s, Java %s, %s%s",
        Runtime.getRuntime().availableProcessors(), cpu, mem / (1024.0 * 1024 * 1024), System.getProperty("os.name"),
        System.getProperty("os.version"), System.getProperty("java.version"), LocalDate.now(ZoneOffset.UTC),
        reportsFreePages(Path.of("/sys/bus/virtio/drivers/virtio_balloon"))
            ? "; a VM whose balloon hands freed memory back to its host (virtio free page reporting), so memory"
                + " touched again after a process freed it costs host page faults a bare-metal host does not pay"
            : "");
  }

  /** Whether a virtio balloon under {@code driver} has the free page reporting feature (bit 5) on. */
  static boolean reportsFreePages(Path driver) {
    try (java.util.stream.Stream<Path> devices = Files.list(driver)) {
      return devices.filter(d -> d.getFileName().toString().startsWith("virtio")).map(d -> d.resolve("features"))
          .filter(Files::isReadable).anyMatch(f -> {
            try {
              String bits = Files.readString(f).trim();
              return bits.length() > 5 && bits.charAt(5) == '1';
            } catch (IOException e) {
              return false;
            }
          });
    } catch (IOException | RuntimeException e) {
      return false; // no virtio balloon here
    }
  }
}
