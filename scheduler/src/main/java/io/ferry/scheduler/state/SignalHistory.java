package io.ferry.scheduler.state;

import io.ferry.v1.DiskHealth;
import io.ferry.v1.HostSignals;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Recent history of each host's signals (CPU utilisation, headline temperature, reallocated sectors per disk),
 * so policies can ask for sustained conditions and trends. Keeps at most one sample per {@code resolution} over
 * {@code window}. Mutated only on the scheduler loop.
 */
public final class SignalHistory {
  /** One remembered value. */
  public record Point(Instant at, double value) {}

  private final Duration window;
  private final Duration resolution;
  private final Map<String, ArrayDeque<Point>> series = new HashMap<>();

  public SignalHistory(Duration window, Duration resolution) {
    this.window = window;
    this.resolution = resolution;
  }

  public void record(String host, HostSignals s, Instant at) {
    if (s.hasCpu() && s.getCpu().getStatus().getAvailable()) {
      add(host + "/cpu", at, s.getCpu().getUtilizationRatio());
    }
    if (s.hasTemperature() && s.getTemperature().getStatus().getAvailable()) {
      add(host + "/temp", at, s.getTemperature().getHeadlineCelsius());
    }
    if (s.hasSmart()) {
      for (DiskHealth d : s.getSmart().getDisksList()) {
        if (d.getStatus().getAvailable()) {
          add(host + "/realloc/" + d.getDevice(), at, d.getReallocatedSectors());
        }
      }
    }
  }

  private void add(String key, Instant at, double value) {
    ArrayDeque<Point> d = series.computeIfAbsent(key, k -> new ArrayDeque<>());
    if (d.size() >= 2) {
      Point last = d.pollLast();
      Point beforeLast = d.peekLast();
      if (Duration.between(beforeLast.at(), at).compareTo(resolution) >= 0) {
        d.addLast(last); // last is a resolution step after its predecessor: keep it
      }
      // else: the newest value replaces the last one, so points stay about one resolution apart
    }
    d.addLast(new Point(at, value));
    Instant cutoff = at.minus(window);
    while (!d.isEmpty() && d.peekFirst().at().isBefore(cutoff)) {
      d.pollFirst();
    }
  }

  public List<Point> cpu(String host) {
    return List.copyOf(series.getOrDefault(host + "/cpu", new ArrayDeque<>()));
  }

  public List<Point> temperature(String host) {
    return List.copyOf(series.getOrDefault(host + "/temp", new ArrayDeque<>()));
  }

  public List<Point> reallocated(String host, String device) {
    return List.copyOf(series.getOrDefault(host + "/realloc/" + device, new ArrayDeque<>()));
  }

  public void forget(String host) {
    series.keySet().removeIf(k -> k.startsWith(host + "/"));
  }

  public void clear() {
    series.clear();
  }
}
