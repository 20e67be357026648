package io.ferry.it.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The chaos suite's table (scenario, trials, VMs, migrations interrupted, VMs lost, duplicates, time to recover),
 * printed after every run and, in the full run, written into docs/reliability.md between its
 * {@code <!-- chaos:start -->} and {@code <!-- chaos:end -->} markers.
 */
final class ReliabilityReport {
  static final String START = "<!-- chaos:start -->";
  static final String END = "<!-- chaos:end -->";

  private ReliabilityReport() {}

  static String table(Map<String, ChaosRun.Tally> tallies) {
    StringBuilder b = new StringBuilder();
    b.append("| scenario | trials | VMs | migrations interrupted | VMs lost | duplicates |"
        + " time to recover (median / max) |\n");
    b.append("|---|---:|---:|---:|---:|---:|---:|\n");
    int trials = 0;
    int interrupted = 0;
    int lost = 0;
    int duplicates = 0;
    List<Duration> all = new ArrayList<>();
    for (Map.Entry<String, ChaosRun.Tally> e : tallies.entrySet()) {
      ChaosRun.Tally t = e.getValue();
      b.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %d | %s |%n", e.getKey(), t.trials, t.vms,
          t.interrupted, t.lost, t.duplicates, recovery(t.recovery, t.trials)));
      trials += t.trials;
      interrupted += t.interrupted;
      lost += t.lost;
      duplicates += t.duplicates;
      all.addAll(t.recovery);
    }
    b.append(String.format(Locale.ROOT, "| **all** | %d | | %d | %d | %d | %s |%n", trials, interrupted, lost,
        duplicates, recovery(all, trials)));
    return b.toString();
  }

  private static String recovery(List<Duration> times, int trials) {
    if (times.isEmpty()) {
      return "not recovered";
    }
    List<Duration> sorted = new ArrayList<>(times);
    sorted.sort(null);
    String s = String.format(Locale.ROOT, "%.1f s / %.1f s", sorted.get(sorted.size() / 2).toMillis() / 1000.0,
        sorted.get(sorted.size() - 1).toMillis() / 1000.0);
    return times.size() < trials ? s + " (" + (trials - times.size()) + " not recovered)" : s;
  }

  static String failures(Map<String, ChaosRun.Tally> tallies) {
    StringBuilder b = new StringBuilder();
    tallies.forEach((name, t) -> t.failures.forEach(f -> b.append("- ").append(name).append(", ").append(f)
        .append('\n')));
    return b.toString();
  }

  /** Replaces the generated section of {@code file} (appending it, with its markers, when the file has none). */
  static void write(Path file, String section) throws IOException {
    String body = START + "\n" + section.stripTrailing() + "\n" + END + "\n";
    String text = Files.exists(file) ? Files.readString(file) : "# Reliability\n\n";
    int s = text.indexOf(START);
    int e = text.indexOf(END);
    String out = s >= 0 && e > s ? text.substring(0, s) + body + text.substring(e + END.length()).replaceFirst("^\n", "")
        : text.stripTrailing() + "\n\n" + body;
    Files.writeString(file, out);
  }
}
