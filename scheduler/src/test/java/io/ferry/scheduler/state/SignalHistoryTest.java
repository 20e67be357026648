package io.ferry.scheduler.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.v1.CpuSignal;
import io.ferry.v1.HostSignals;
import io.ferry.v1.SignalStatus;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SignalHistoryTest {
  private static HostSignals cpu(double v) {
    return HostSignals.newBuilder().setCpu(CpuSignal.newBuilder()
        .setStatus(SignalStatus.newBuilder().setAvailable(true)).setUtilizationRatio(v)).build();
  }

  @Test
  void reportsFasterThanTheResolutionKeepTheStartOfTheHistory() {
    SignalHistory h = new SignalHistory(Duration.ofMinutes(30), Duration.ofSeconds(5));
    Instant t0 = Instant.parse("2026-11-27T00:00:00Z");
    for (int i = 0; i <= 30; i++) { // a report every 2 s for 60 s
      h.record("h1", cpu(i / 100.0), t0.plusSeconds(2L * i));
    }
    assertThat(h.cpu("h1").get(0).at()).isEqualTo(t0);
    assertThat(h.cpu("h1").get(h.cpu("h1").size() - 1).value()).isEqualTo(0.30);
    assertThat(h.cpu("h1")).hasSizeBetween(11, 17);
  }

  @Test
  void samplesOlderThanTheWindowAreDropped() {
    SignalHistory h = new SignalHistory(Duration.ofMinutes(1), Duration.ofSeconds(5));
    Instant t0 = Instant.parse("2026-11-27T00:00:00Z");
    for (int i = 0; i <= 60; i++) {
      h.record("h1", cpu(0.5), t0.plusSeconds(5L * i));
    }
    assertThat(h.cpu("h1").get(0).at()).isAfterOrEqualTo(t0.plusSeconds(240));
  }
}
