package io.ferry.it.chaos;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Every finished trial, one JSON line each, keyed by the version of the code under test: a long run that is cut
 * short (the machine's other jobs may kill it) resumes where it stopped, and the table covers every trial of this
 * version. Without a file it only keeps the trials of this run.
 */
final class TrialJournal {
  private static final ObjectMapper JSON = new ObjectMapper();

  record Trial(String version, String scenario, int vms, int interrupted, int lost, int duplicates,
               long recoveryMillis, List<String> failures) {}

  private final Path file;
  private final String version;
  private final List<Trial> trials = new ArrayList<>();

  TrialJournal(Path file, String version) {
    this.file = file;
    this.version = version;
    if (file != null && Files.exists(file)) {
      try {
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          if (!line.isBlank()) {
            Trial t = JSON.readValue(line, Trial.class);
            if (t.version().equals(version)) {
              trials.add(t);
            }
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the trial journal " + file, e);
      }
    }
  }

  synchronized void add(Trial t) {
    trials.add(t);
    if (file != null) {
      try {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, JSON.writeValueAsString(t) + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot append to the trial journal " + file, e);
      }
    }
  }

  synchronized int count(String scenario) {
    return (int) trials.stream().filter(t -> t.scenario().equals(scenario)).count();
  }

  String version() {
    return version;
  }

  /** The trials so far, added up per scenario, in {@code order}. */
  synchronized Map<String, ChaosRun.Tally> tallies(List<String> order) {
    Map<String, ChaosRun.Tally> out = new LinkedHashMap<>();
    for (String scenario : order) {
      for (Trial t : trials) {
        if (t.scenario().equals(scenario)) {
          out.computeIfAbsent(scenario, k -> new ChaosRun.Tally()).add(t);
        }
      }
    }
    return out;
  }

  /** The code under test: {@code git describe --always --dirty} of the working tree, or "unknown". */
  static String codeVersion(Path home) {
    try {
      Process p = new ProcessBuilder("git", "-C", home.toString(), "describe", "--always", "--dirty")
          .redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : "unknown";
    } catch (IOException e) {
      return "unknown";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }
}
