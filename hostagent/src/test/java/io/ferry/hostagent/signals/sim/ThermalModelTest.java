package io.ferry.hostagent.signals.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ThermalModelTest {
  final Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
  final ThermalModel.Parameters params = new ThermalModel.Parameters(20, 60, Duration.ofMinutes(2));

  @Test
  void startsAtAmbient() {
    assertThat(new ThermalModel(params, t0).celsius()).isEqualTo(20.0);
  }

  @Test
  void coversSixtyThreePercentOfTheWayInOneTimeConstant() {
    ThermalModel model = new ThermalModel(params, t0);

    double celsius = model.advanceTo(t0.plus(Duration.ofMinutes(2)), 1.0);

    // towards 20 + 60 = 80 C: 20 + 60 * (1 - 1/e)
    assertThat(celsius).isCloseTo(20 + 60 * (1 - Math.exp(-1)), within(1e-9));
  }

  @Test
  void sameResultInOneBigStepOrManySmallOnes() {
    ThermalModel oneStep = new ThermalModel(params, t0);
    ThermalModel manySteps = new ThermalModel(params, t0);

    oneStep.advanceTo(t0.plus(Duration.ofMinutes(10)), 0.5);
    for (int s = 5; s <= 600; s += 5) {
      manySteps.advanceTo(t0.plusSeconds(s), 0.5);
    }

    assertThat(manySteps.celsius()).isCloseTo(oneStep.celsius(), within(1e-9));
    assertThat(oneStep.celsius()).isCloseTo(50, within(0.5));
  }

  @Test
  void coolsBackTowardsAmbientWhenIdle() {
    ThermalModel model = new ThermalModel(params, t0);
    model.advanceTo(t0.plus(Duration.ofHours(1)), 1.0);

    double celsius = model.advanceTo(t0.plus(Duration.ofHours(2)), 0.0);

    assertThat(celsius).isCloseTo(20, within(0.01));
  }

  @Test
  void goingBackInTimeChangesNothing() {
    ThermalModel model = new ThermalModel(params, t0);
    double at10 = model.advanceTo(t0.plusSeconds(600), 1.0);

    assertThat(model.advanceTo(t0.plusSeconds(300), 0.0)).isEqualTo(at10);
  }

  @Test
  void refusesANonPositiveTimeConstant() {
    assertThatThrownBy(() -> new ThermalModel.Parameters(20, 60, Duration.ZERO))
        .hasMessageContaining("time constant must be positive");
  }
}
