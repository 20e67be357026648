package io.ferry.hostagent.signals.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.ferry.hostagent.signals.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ScenarioPlayerTest {
  final MutableClock clock = new MutableClock();
  ScenarioPlayer player;

  @BeforeEach
  void playTheDemo() throws Exception {
    player = new ScenarioPlayer(ScenarioParser.parse(ScenarioParserTest.demo()), clock);
  }

  private HostModifiers at(String host, Duration sinceStart) {
    clock.advance(sinceStart);
    return player.modifiers(host);
  }

  @Test
  void loadFollowsTheDayNightCurveOnEveryHost() {
    assertThat(player.modifiersAt("h2", Duration.ZERO).loadMultiplier()).isCloseTo(0.1, within(1e-9));
    assertThat(player.modifiersAt("h2", Duration.ofMinutes(5)).loadMultiplier()).isCloseTo(0.8, within(1e-9));
    assertThat(player.modifiersAt("h2", Duration.ofMinutes(10)).loadMultiplier()).isCloseTo(0.1, within(1e-9));
    assertThat(player.modifiersAt("h2", Duration.ofSeconds(150)).loadMultiplier()).isCloseTo(0.45, within(1e-9));
  }

  @Test
  void aLaterLoadEventForOneHostReplacesTheCurveForThatHostOnly() {
    assertThat(player.modifiersAt("h1", Duration.ofMinutes(13)).loadMultiplier()).isEqualTo(1.5);
    assertThat(player.modifiersAt("h2", Duration.ofMinutes(13)).loadMultiplier()).isLessThan(1.0);
  }

  @Test
  void temperatureRampsFromTheModelToTheTargetThenHoldsThenIsReleased() {
    double model = 50;

    assertThat(player.modifiersAt("h3", Duration.ofMinutes(2)).temperatureCelsius(model)).isEqualTo(50.0);
    assertThat(player.modifiersAt("h3", Duration.ofMinutes(4)).temperatureCelsius(model)).isCloseTo(72.5, within(1e-9));
    assertThat(player.modifiersAt("h3", Duration.ofMinutes(5)).temperatureCelsius(model)).isEqualTo(95.0);
    assertThat(player.modifiersAt("h3", Duration.ofMinutes(8)).temperatureCelsius(model)).isEqualTo(95.0);
    assertThat(player.modifiersAt("h3", Duration.ofMinutes(9)).temperatureCelsius(model)).isEqualTo(50.0);
    assertThat(player.modifiersAt("h4", Duration.ofMinutes(5)).temperatureCelsius(model)).isEqualTo(50.0);
  }

  @Test
  void smartChangesAccumulateAndTargetTheirDisk() {
    HostModifiers before = player.modifiersAt("h5", Duration.ofMinutes(4));
    HostModifiers after = player.modifiersAt("h5", Duration.ofMinutes(8));

    assertThat(before.smart("sda")).isEqualTo(SmartDelta.NONE);
    assertThat(after.smart("sda").reallocatedSectors()).isEqualTo(200);
    assertThat(after.smart("sda").pendingSectors()).isEqualTo(16);
    assertThat(after.smart("sda").smartPassed()).contains(false);
    assertThat(after.smart("nvme0").reallocatedSectors()).isEqualTo(200);
    assertThat(after.smart("nvme0").smartPassed()).isEmpty();
  }

  @Test
  void followsTheInjectedClock() {
    assertThat(at("h3", Duration.ofMinutes(6)).temperatureCelsius(40)).isEqualTo(95.0);
  }

  @Test
  void hostWithoutEventsIsUnmodified() {
    HostModifiers none = new ScenarioPlayer(new Scenario("empty", java.util.List.of()), clock).modifiers("h1");

    assertThat(none.loadMultiplier()).isEqualTo(1.0);
    assertThat(none.temperatureCelsius(42)).isEqualTo(42.0);
    assertThat(none.smart("sda")).isEqualTo(SmartDelta.NONE);
  }
}
