package io.ferry.hostagent.signals;

import io.ferry.v1.NetworkInterface;
import io.ferry.v1.NetworkSignal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Receive and transmit bytes per second of every interface in {@code /proc/net/dev}, from the change of its
 * byte counters between two samples over the clock's elapsed time. The first sample has no rates yet and is
 * reported unavailable ("warming up"). A counter that went backwards (interface reset) reads as 0 B/s.
 */
public final class NetworkSampler {
  static final String SIGNAL = "network";
  private static final String WHERE = "/proc/net/dev";

  private record Counters(long rxBytes, long txBytes) {}

  private final HostFiles files;
  private final Clock clock;
  private final SignalAvailability availability;
  private Map<String, Counters> previous;
  private Instant previousAt;

  public NetworkSampler(HostFiles files, Clock clock, SignalAvailability availability) {
    this.files = files;
    this.clock = clock;
    this.availability = availability;
  }

  public synchronized NetworkSignal sample() {
    Instant now = clock.instant();
    try {
      Map<String, Counters> counters = parse(files.read(WHERE));
      Map<String, Counters> before = previous;
      Instant beforeAt = previousAt;
      previous = counters;
      previousAt = now;
      if (before == null) {
        throw new Unavailable(Unavailable.Kind.WARMING_UP, "warming up: rates need a second sample");
      }
      double seconds = Duration.between(beforeAt, now).toNanos() / 1e9;
      if (seconds <= 0) {
        throw new Unavailable(Unavailable.Kind.INVALID_READING, "no time elapsed since the previous sample");
      }
      NetworkSignal.Builder signal = NetworkSignal.newBuilder().setStatus(availability.available(SIGNAL));
      counters.forEach((name, c) -> {
        Counters old = before.getOrDefault(name, c);
        signal.addInterfaces(NetworkInterface.newBuilder()
            .setName(name)
            .setRxBytesPerSecond(rate(c.rxBytes() - old.rxBytes(), seconds))
            .setTxBytesPerSecond(rate(c.txBytes() - old.txBytes(), seconds)));
      });
      return signal.build();
    } catch (Unavailable e) {
      return NetworkSignal.newBuilder().setStatus(availability.unavailable(SIGNAL, e)).build();
    }
  }

  private static double rate(long deltaBytes, double seconds) {
    return deltaBytes < 0 ? 0 : deltaBytes / seconds;
  }

  private static Map<String, Counters> parse(String procNetDev) throws Unavailable {
    Map<String, Counters> counters = new LinkedHashMap<>();
    for (String line : procNetDev.split("\n")) {
      int colon = line.indexOf(':');
      if (colon < 0 || line.contains("|")) {
        continue; // the two header lines
      }
      String name = line.substring(0, colon).trim();
      String[] f = line.substring(colon + 1).trim().split("\\s+");
      // receive: bytes packets errs drop fifo frame compressed multicast | transmit: bytes ...
      if (f.length < 9) {
        throw Readings.malformed(WHERE, "interface " + name + " has " + f.length + " counters");
      }
      counters.put(name, new Counters(Readings.nonNegativeLong(f[0], WHERE + " " + name + " rx bytes"),
          Readings.nonNegativeLong(f[8], WHERE + " " + name + " tx bytes")));
    }
    if (counters.isEmpty()) {
      throw Readings.malformed(WHERE, "no interfaces");
    }
    return counters;
  }
}
