package io.ferry.hostagent.signals.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.hostagent.signals.sim.ScenarioEvent.LoadCurve;
import io.ferry.hostagent.signals.sim.ScenarioEvent.SmartChange;
import io.ferry.hostagent.signals.sim.ScenarioEvent.TemperatureRamp;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ScenarioParserTest {
  static Path demo() throws URISyntaxException {
    return Path.of(ScenarioParserTest.class.getResource("/fixtures/scenarios/hot-host-failing-disk.yaml").toURI());
  }

  private static void assertRefused(String yaml, String message) {
    assertThatThrownBy(() -> ScenarioParser.parse(yaml, "s.yaml"))
        .isInstanceOf(ScenarioException.class).hasMessage(message);
  }

  @Test
  void readsTheDemoScenario() throws Exception {
    Scenario scenario = ScenarioParser.parse(demo());

    assertThat(scenario.name()).isEqualTo("hot host and failing disk");
    assertThat(scenario.events()).hasSize(6);
    assertThat(scenario.events().get(0)).isEqualTo(new LoadCurve(Duration.ZERO, "*", 4,
        LoadCurve.Curve.DAY_NIGHT, Duration.ofMinutes(10), 0.1, 0.8));
    assertThat(scenario.events().get(1)).isEqualTo(new TemperatureRamp(Duration.ofMinutes(3), "h3", 7, 95,
        Duration.ofMinutes(2)));
    assertThat(scenario.events().get(2)).isEqualTo(new SmartChange(Duration.ofMinutes(5), "h5", 10, null,
        new SmartDelta(200, 0, 0, Optional.empty())));
    assertThat(scenario.events().get(3)).isEqualTo(new SmartChange(Duration.ofMinutes(7), "h5", 13, "sda",
        new SmartDelta(0, 16, 0, Optional.of(false))));
    assertThat(scenario.namedHosts()).containsExactly("h1", "h3", "h5");
  }

  @Test
  void sortsEventsByTime() {
    Scenario scenario = ScenarioParser.parse("""
        events:
          - {at: 5m, host: a, smart: {smartPassed: false}}
          - {at: 1h30m, host: a, temperature: {rampTo: 80}}
          - {at: 90s, host: a, load: {curve: constant, value: 2}}
        """, "s.yaml");

    assertThat(scenario.events()).extracting(ScenarioEvent::at)
        .containsExactly(Duration.ofSeconds(90), Duration.ofMinutes(5), Duration.ofMinutes(90));
  }

  @Test
  void reportsABadDurationWithItsLine() {
    assertRefused("""
        events:
          - at: 3m
            host: h3
            temperature: {rampTo: 95, over: 2m}
          - at: three minutes
            host: h3
            temperature: {rampTo: 95}
        """, "s.yaml:5: at must be a duration such as 90s, 3m, 1h30m or 500ms, got 'three minutes'");
  }

  @Test
  void reportsAnUnknownKey() {
    assertRefused("""
        events:
          - at: 3m
            host: h3
            temperature: {rampTo: 95, ovr: 2m}
        """, "s.yaml:4: unknown key 'ovr' in temperature (allowed: over, rampTo, release)");
  }

  @Test
  void reportsAnEventThatDoesTwoThings() {
    assertRefused("""
        events:
          - at: 3m
            host: h3
            temperature: {rampTo: 95}
            load: {curve: constant, value: 1}
        """, "s.yaml:2: an event does one thing, this one has temperature and load: write one event for each");
  }

  @Test
  void reportsAMissingHost() {
    assertRefused("""
        events:
          - at: 3m
            smart: {reallocatedSectors: +200}
        """, "s.yaml:2: an event needs 'host'");
  }

  @Test
  void reportsAShrinkingSmartCounter() {
    assertRefused("""
        events:
          - {at: 3m, host: h5, smart: {reallocatedSectors: -5}}
        """, "s.yaml:2: reallocatedSectors grows by a number of sectors; SMART counters never shrink, got -5");
  }

  @Test
  void reportsADayNightCurveWithLowAboveHigh() {
    assertRefused("""
        events:
          - at: 0s
            host: "*"
            load: {curve: dayNight, period: 10m, low: 0.9, high: 0.2}
        """, "s.yaml:4: load needs 0 <= low <= high, got low 0.9 and high 0.2");
  }

  @Test
  void reportsAnUnknownCurve() {
    assertRefused("""
        events:
          - {at: 0s, host: "*", load: {curve: sine, period: 10m}}
        """, "s.yaml:2: curve must be dayNight or constant, got 'sine'");
  }

  @Test
  void reportsATemperatureOutOfRange() {
    assertRefused("""
        events:
          - {at: 0s, host: h1, temperature: {rampTo: 400}}
        """, "s.yaml:2: rampTo must be between 0 and 150 C, got 400.0");
  }

  @Test
  void reportsInvalidYaml() {
    assertThatThrownBy(() -> ScenarioParser.parse("events:\n  - at: [3m\n", "s.yaml"))
        .isInstanceOf(ScenarioException.class).hasMessageStartingWith("s.yaml:3: not valid YAML");
  }

  @Test
  void reportsAnEmptyFileAndAMissingEventsList() {
    assertRefused("", "s.yaml:1: the scenario is empty: it needs 'events:'");
    assertRefused("name: x\n", "s.yaml:1: the scenario needs 'events'");
  }

  @Test
  void reportsARepeatedKey() {
    assertRefused("""
        events:
          - at: 1m
            at: 2m
            host: h1
            smart: {smartPassed: false}
        """, "s.yaml:3: 'at' appears twice in an event");
  }
}
