package io.ferry.hostagent.signals;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SignalAvailabilityTest {
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final SignalAvailability availability = new SignalAvailability(registry);
  final ByteArrayOutputStream log = new ByteArrayOutputStream();
  PrintStream originalErr;

  @BeforeEach
  void captureLog() {
    // slf4j-simple writes to whatever System.err is at the time of each line
    originalErr = System.err;
    System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restoreLog() {
    System.setErr(originalErr);
  }

  @Test
  void countsEveryUnavailableSampleButLogsOnlyChanges() {
    Unavailable noSensors = new Unavailable(Unavailable.Kind.NO_SENSORS, "no temperature sensors");
    for (int i = 0; i < 5; i++) {
      availability.unavailable("temperature", noSensors);
    }

    assertThat(registry.get(SignalAvailability.UNAVAILABLE_METRIC)
        .tag("signal", "temperature").tag("reason_kind", "no_sensors").counter().count()).isEqualTo(5);
    assertThat(logLines("temperature signal unavailable: no temperature sensors")).isEqualTo(1);
  }

  @Test
  void logsANewReasonAndTheRecovery() {
    availability.unavailable("smart", new Unavailable(Unavailable.Kind.NOT_INSTALLED, "smartctl not installed"));
    availability.unavailable("smart", new Unavailable(Unavailable.Kind.TIMED_OUT, "smartctl timed out after 30s"));
    availability.available("smart");
    availability.available("smart");

    assertThat(logLines("smart signal unavailable")).isEqualTo(2);
    assertThat(logLines("smart signal is available again (was: smartctl timed out after 30s)")).isEqualTo(1);
  }

  @Test
  void statusCarriesTheReason() {
    var status = availability.unavailable("cpu", new Unavailable(Unavailable.Kind.MISSING, "missing: /proc/stat"));

    assertThat(status.getAvailable()).isFalse();
    assertThat(status.getReason()).isEqualTo("missing: /proc/stat");
  }

  private long logLines(String text) {
    return log.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains(text)).count();
  }
}
