package io.ferry.hostagent.signals;

import java.time.Duration;
import java.util.Objects;

/**
 * How often the agent samples: {@code signals} for CPU, memory, temperature and network; {@code smart} for disk
 * health, which is slow (seconds per disk) and changes over days, so it runs far less often and is cached between.
 */
public record SamplingIntervals(Duration signals, Duration smart) {
  public static final SamplingIntervals DEFAULT = new SamplingIntervals(Duration.ofSeconds(5), Duration.ofMinutes(10));

  public SamplingIntervals {
    Objects.requireNonNull(signals, "signals interval");
    Objects.requireNonNull(smart, "smart interval");
    if (signals.isNegative() || signals.isZero()) {
      throw new IllegalArgumentException("signals interval must be positive, got " + signals);
    }
    if (smart.compareTo(signals) < 0) {
      throw new IllegalArgumentException("smart interval (" + smart + ") must not be shorter than the signals interval ("
          + signals + "): smartctl takes seconds per disk");
    }
  }
}
