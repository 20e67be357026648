package io.ferry.hostagent.signals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SamplingIntervalsTest {
  @Test
  void defaultsAreFiveSecondsAndTenMinutes() {
    assertThat(SamplingIntervals.DEFAULT.signals()).isEqualTo(Duration.ofSeconds(5));
    assertThat(SamplingIntervals.DEFAULT.smart()).isEqualTo(Duration.ofMinutes(10));
  }

  @Test
  void refusesSmartMoreOftenThanTheOtherSignals() {
    assertThatThrownBy(() -> new SamplingIntervals(Duration.ofMinutes(1), Duration.ofSeconds(5)))
        .hasMessageContaining("smart interval (PT5S) must not be shorter than the signals interval (PT1M)");
  }

  @Test
  void refusesANonPositiveInterval() {
    assertThatThrownBy(() -> new SamplingIntervals(Duration.ZERO, Duration.ofMinutes(10)))
        .hasMessageContaining("signals interval must be positive");
  }
}
