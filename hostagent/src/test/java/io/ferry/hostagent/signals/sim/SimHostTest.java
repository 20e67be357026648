package io.ferry.hostagent.signals.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.ferry.hostagent.signals.MutableClock;
import io.ferry.v1.DiskHealth;
import io.ferry.v1.HostSignals;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimHostTest {
  final MutableClock clock = new MutableClock();
  final SimHost.Spec spec = new SimHost.Spec("h1", 16, 64L << 30, List.of("sda", "nvme0"),
      new ThermalModel.Parameters(20, 60, Duration.ofMinutes(2)), 100, 300);
  final SimHost host = new SimHost(spec, clock);

  @Test
  void cpuAndMemoryComeFromDemand() {
    HostSignals signals = host.sample(4, 16L << 30, HostModifiers.NONE);

    assertThat(signals.getCpu().getUtilizationRatio()).isEqualTo(0.25);
    assertThat(signals.getCpu().getCores()).isEqualTo(16);
    assertThat(signals.getMemory().getUsedBytes()).isEqualTo(16L << 30);
    assertThat(signals.getMemory().getAvailableBytes()).isEqualTo(48L << 30);
    assertThat(signals.getPowerWatts()).isEqualTo(150.0);
  }

  @Test
  void demandBeyondCapacityIsCapped() {
    HostSignals signals = host.sample(40, 100L << 30, HostModifiers.NONE);

    assertThat(signals.getCpu().getUtilizationRatio()).isEqualTo(1.0);
    assertThat(signals.getMemory().getUsedBytes()).isEqualTo(64L << 30);
  }

  @Test
  void loadMultiplierScalesCpuDemand() {
    HostModifiers half = new HostModifiers(0.5, null, List.of());

    assertThat(host.sample(8, 0, half).getCpu().getUtilizationRatio()).isEqualTo(0.25);
  }

  @Test
  void temperatureFollowsLoadWithTheTimeConstant() {
    host.sample(16, 0, HostModifiers.NONE);
    clock.advance(Duration.ofMinutes(2));

    HostSignals signals = host.sample(16, 0, HostModifiers.NONE);

    assertThat(signals.getTemperature().getHeadlineCelsius()).isCloseTo(20 + 60 * (1 - Math.exp(-1)), within(1e-9));
    assertThat(signals.getTemperature().getSensors(0).getCpuPackage()).isTrue();
  }

  @Test
  void scenarioTemperatureAndSmartChangesShowInTheSignals() {
    HostModifiers hotAndFailing = new HostModifiers(1.0, new HostModifiers.TemperatureOverride(95, 1.0),
        List.of(new HostModifiers.DiskChange("sda", new SmartDelta(200, 8, 0, java.util.Optional.of(false)))));

    HostSignals signals = host.sample(1, 0, hotAndFailing);

    assertThat(signals.getTemperature().getHeadlineCelsius()).isEqualTo(95.0);
    DiskHealth sda = signals.getSmart().getDisks(0);
    assertThat(sda.getSmartPassed()).isFalse();
    assertThat(sda.getReallocatedSectors()).isEqualTo(200);
    assertThat(sda.getPendingSectors()).isEqualTo(8);
    assertThat(sda.getSmartctlFlagsList()).containsExactly("SMART status: disk failing");
    assertThat(signals.getSmart().getDisks(1).getSmartPassed()).isTrue();
  }

  @Test
  void networkIsExplicitlyNotSimulated() {
    assertThat(host.sample(0, 0, HostModifiers.NONE).getNetwork().getStatus().getReason())
        .isEqualTo("network is not simulated");
  }

  @Test
  void specRefusesImpossibleShapes() {
    assertThatThrownBy(() -> new SimHost.Spec("h9", 0, 1, List.of(), ThermalModel.Parameters.DEFAULT, 0, 1))
        .hasMessageContaining("sim host h9: cores and memory must be positive");
  }
}
