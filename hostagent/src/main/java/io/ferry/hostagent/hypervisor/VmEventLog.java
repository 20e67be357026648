package io.ferry.hostagent.hypervisor;

import io.ferry.common.FerryException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Append-only log of when VMs began and stopped executing on a host, kept in memory and optionally appended to a
 * file, so tests (also across processes) can prove that a VM never ran on two hosts at once.
 */
public final class VmEventLog {
  private final List<VmEvent> events = new ArrayList<>();
  private final Path file;

  private VmEventLog(Path file) {
    this.file = file;
  }

  public static VmEventLog inMemory() {
    return new VmEventLog(null);
  }

  /** Also appends each event as a line to {@code file} (several hosts may share one file). */
  public static VmEventLog appendingTo(Path file) {
    return new VmEventLog(file);
  }

  public synchronized void record(VmEvent event) {
    events.add(event);
    if (file != null) {
      try {
        Files.writeString(file, event.toLine() + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
            StandardOpenOption.APPEND, StandardOpenOption.SYNC);
      } catch (IOException e) {
        throw new FerryException("cannot append VM event to " + file + ": " + e.getMessage(), e);
      }
    }
  }

  public synchronized List<VmEvent> events() {
    return List.copyOf(events);
  }

  public static List<VmEvent> read(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank())
          .map(VmEvent::parse).toList();
    } catch (IOException e) {
      throw new FerryException("cannot read VM events from " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Checks that in the merged, time-ordered events of several hosts no VM is RUNNING on two hosts at once.
   * Returns a description of the first violation, or the empty string.
   */
  public static String findOverlap(List<VmEvent> merged) {
    List<String> all = findOverlaps(merged);
    return all.isEmpty() ? "" : all.get(0);
  }

  /** Every instant in the merged events at which a VM began running on a host while it ran on another, in order. */
  public static List<String> findOverlaps(List<VmEvent> merged) {
    List<VmEvent> sorted = new ArrayList<>(merged);
    sorted.sort((a, b) -> a.at().compareTo(b.at()));
    Map<String, String> runningOn = new HashMap<>();
    List<String> found = new ArrayList<>();
    for (VmEvent e : sorted) {
      String current = runningOn.get(e.vm());
      if (e.kind() == VmEvent.Kind.RUNNING) {
        if (current != null && !current.equals(e.host())) {
          found.add(e.vm() + " started on " + e.host() + " at " + e.at() + " while running on " + current);
        }
        runningOn.put(e.vm(), e.host());
      } else if (e.host().equals(current)) {
        runningOn.remove(e.vm());
      }
    }
    return found;
  }
}
