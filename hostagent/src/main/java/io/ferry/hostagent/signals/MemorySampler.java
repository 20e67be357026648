package io.ferry.hostagent.signals;

import io.ferry.v1.MemorySignal;
import java.util.HashMap;
import java.util.Map;

/**
 * Host memory from {@code /proc/meminfo}: total, available and used = total - available. Never throws.
 */
public final class MemorySampler {
  static final String SIGNAL = "memory";
  private static final String WHERE = "/proc/meminfo";
  private final HostFiles files;
  private final SignalAvailability availability;

  public MemorySampler(HostFiles files, SignalAvailability availability) {
    this.files = files;
    this.availability = availability;
  }

  public MemorySignal sample() {
    try {
      Map<String, Long> kib = parseKib(files.read(WHERE));
      long totalBytes = required(kib, "MemTotal") * 1024;
      long availableBytes = availableKib(kib) * 1024;
      if (totalBytes == 0 || availableBytes > totalBytes) {
        throw new Unavailable(Unavailable.Kind.INVALID_READING, "invalid reading in " + WHERE
            + ": MemAvailable " + availableBytes + " B exceeds MemTotal " + totalBytes + " B");
      }
      return MemorySignal.newBuilder()
          .setStatus(availability.available(SIGNAL))
          .setTotalBytes(totalBytes)
          .setAvailableBytes(availableBytes)
          .setUsedBytes(totalBytes - availableBytes)
          .build();
    } catch (Unavailable e) {
      return MemorySignal.newBuilder().setStatus(availability.unavailable(SIGNAL, e)).build();
    }
  }

  /** The {@code Key: value kB} lines of a meminfo file, in KiB. */
  static Map<String, Long> parseKib(String meminfo) throws Unavailable {
    Map<String, Long> values = new HashMap<>();
    for (String line : meminfo.split("\n")) {
      int colon = line.indexOf(':');
      if (colon <= 0) {
        continue;
      }
      String key = line.substring(0, colon);
      String number = line.substring(colon + 1).trim();
      if (number.endsWith("kB")) {
        number = number.substring(0, number.length() - 2);
      }
      values.put(key, Readings.nonNegativeLong(number, WHERE + " " + key));
    }
    return values;
  }

  private static long availableKib(Map<String, Long> kib) throws Unavailable {
    Long available = kib.get("MemAvailable");
    if (available != null) {
      return available;
    }
    // Kernels before 3.14 lack MemAvailable; free + page cache is the usual approximation there.
    return required(kib, "MemFree") + kib.getOrDefault("Buffers", 0L) + kib.getOrDefault("Cached", 0L);
  }

  private static long required(Map<String, Long> kib, String key) throws Unavailable {
    Long value = kib.get(key);
    if (value == null) {
      throw Readings.malformed(WHERE, "no " + key + " line");
    }
    return value;
  }
}
