package io.ferry.hostagent.signals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.ferry.v1.TemperatureSensor;
import io.ferry.v1.TemperatureSignal;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TemperatureSamplerTest {
  @TempDir Path root;
  final FixtureHost counters = new FixtureHost(Path.of("unused"));

  private TemperatureSignal sample(HostFiles files) {
    return new TemperatureSampler(files, counters.availability).sample();
  }

  private TemperatureSignal sampleFixture(String fixture) {
    return sample(HostFiles.at(FixtureHost.fixture(fixture)));
  }

  @Test
  void readsLabelledHwmonSensorsWithThresholds() {
    TemperatureSignal signal = sampleFixture("hwmon/coretemp-two-sockets");

    assertThat(signal.getStatus().getAvailable()).isTrue();
    assertThat(signal.getSensorsList())
        .extracting(TemperatureSensor::getSensor, TemperatureSensor::getLabel, TemperatureSensor::getCelsius,
            TemperatureSensor::getMaxCelsius, TemperatureSensor::getCritCelsius, TemperatureSensor::getCpuPackage)
        .contains(
            tuple("hwmon0/temp1", "acpitz temp1", 27.8, 0.0, 0.0, false),
            tuple("hwmon1/temp1", "Package id 0", 61.0, 80.0, 100.0, true),
            tuple("hwmon1/temp3", "Core 1", 72.0, 80.0, 100.0, false),
            tuple("hwmon2/temp1", "Package id 1", 64.0, 80.0, 100.0, true),
            tuple("hwmon3/temp1", "Composite", 45.85, 84.85, 84.85, false));
    assertThat(signal.getSensorsCount()).isEqualTo(7);
  }

  @Test
  void headlineIsTheHottestPackageEvenWhenACoreIsHotter() {
    // Core 1 reads 72 C, but the headline is a package sensor: the hotter of the two sockets, 64 C.
    assertThat(sampleFixture("hwmon/coretemp-two-sockets").getHeadlineCelsius()).isEqualTo(64.0);
  }

  @Test
  void amdTctlCountsAsThePackage() {
    TemperatureSignal signal = sampleFixture("hwmon/k10temp");

    assertThat(signal.getHeadlineCelsius()).isEqualTo(68.5);
    assertThat(signal.getSensors(0).getCpuPackage()).isTrue();
  }

  @Test
  void unlabelledSensorsAreNamedAfterTheirChipAndTheHottestIsTheHeadline() {
    TemperatureSignal signal = sampleFixture("hwmon/unlabelled");

    // temp3 reads -128 C, the value of a disconnected input: it is left out, the others are kept
    assertThat(signal.getSensorsList()).extracting(TemperatureSensor::getLabel)
        .containsExactly("it8728 temp1", "it8728 temp2");
    assertThat(signal.getHeadlineCelsius()).isEqualTo(47.0);
    assertThat(signal.getSensors(1).getMaxCelsius()).isEqualTo(70.0);
  }

  @Test
  void thermalZoneOfTypeX86PkgTempIsThePackage() {
    TemperatureSignal signal = sampleFixture("thermal/x86-pkg");

    assertThat(signal.getSensorsList()).extracting(TemperatureSensor::getSensor, TemperatureSensor::getLabel,
        TemperatureSensor::getCpuPackage)
        .containsExactly(tuple("thermal_zone0", "acpitz", false), tuple("thermal_zone1", "x86_pkg_temp", true));
    assertThat(signal.getHeadlineCelsius()).isEqualTo(55.0);
  }

  @Test
  void readsTheDeviceSubdirectoryOfOldKernels() {
    new FixtureHost(root).write("/sys/class/hwmon/hwmon0/device/name", "coretemp")
        .write("/sys/class/hwmon/hwmon0/device/temp1_input", "52000")
        .write("/sys/class/hwmon/hwmon0/device/temp1_label", "Package id 0");

    TemperatureSignal signal = sample(HostFiles.at(root));

    assertThat(signal.getSensorsList()).extracting(TemperatureSensor::getSensor, TemperatureSensor::getLabel)
        .containsExactly(tuple("hwmon0/temp1", "Package id 0"));
    assertThat(signal.getHeadlineCelsius()).isEqualTo(52.0);
  }

  @Test
  void hostWithoutSensorsSaysSo() {
    TemperatureSignal signal = sample(HostFiles.at(root));

    assertThat(signal.getStatus().getAvailable()).isFalse();
    assertThat(signal.getStatus().getReason())
        .isEqualTo("no temperature sensors under /sys/class/hwmon or /sys/class/thermal");
    assertThat(counters.unavailableCount("temperature", "no_sensors")).isEqualTo(1);
  }

  @Test
  void onlyNanAndImpossibleReadingsMakeTheSignalUnavailable() {
    new FixtureHost(root).write("/sys/class/hwmon/hwmon0/temp1_input", "NaN")
        .write("/sys/class/hwmon/hwmon0/temp2_input", "255000");

    TemperatureSignal signal = sample(HostFiles.at(root));

    assertThat(signal.getStatus().getAvailable()).isFalse();
    assertThat(signal.getStatus().getReason())
        .isEqualTo("invalid reading in /sys/class/hwmon/hwmon0/temp1_input: 'NaN'");
    assertThat(counters.unavailableCount("temperature", "invalid_reading")).isEqualTo(1);
  }

  @Test
  void unreadableSensorIsReportedWithItsPath() {
    new FixtureHost(root).write("/sys/class/hwmon/hwmon0/temp1_input", "40000");
    HostFiles denied = HostFiles.at(root).withReader(file -> {
      throw new java.nio.file.AccessDeniedException(file.toString());
    });

    assertThat(sample(denied).getStatus().getReason())
        .isEqualTo("permission denied: /sys/class/hwmon/hwmon0/temp1_input");
  }
}
