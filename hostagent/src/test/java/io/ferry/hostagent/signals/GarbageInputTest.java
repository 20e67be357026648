package io.ferry.hostagent.signals;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.v1.HostSignals;
import io.ferry.v1.SignalStatus;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Whatever the kernel files and smartctl say, a sample completes and every signal says whether it is usable. */
class GarbageInputTest {
  @TempDir Path root;

  private static final List<String> FILES = List.of("/proc/stat", "/proc/loadavg", "/proc/meminfo", "/proc/net/dev",
      "/sys/class/hwmon/hwmon0/temp1_input", "/sys/class/hwmon/hwmon0/temp1_label", "/sys/class/hwmon/hwmon0/temp1_max",
      "/sys/class/thermal/thermal_zone0/temp", "/proc/cpuinfo", "/proc/sys/kernel/osrelease");

  @ParameterizedTest
  @ValueSource(strings = {"", "\u0000\u0000\u0000", "cpu", "cpu  a b c d e f g h\n", "NaN", "-1",
      "99999999999999999999999", "MemTotal:\nMemAvailable: kB\n", "x:\n|\n:::\n", "Infinity 1 1", "{\"devices\":"})
  void everySignalHasAStatusAndNothingThrows(String garbage) {
    FixtureHost host = new FixtureHost(root);
    FILES.forEach(file -> host.write(file, garbage));
    HostSampler sampler = HostSampler.builder(host.registry).files(host.files())
        .runner((command, timeout) -> CommandResult.completed(3, garbage)).build();

    sampler.sample();
    HostSignals signals = sampler.sample();

    for (SignalStatus status : List.of(signals.getCpu().getStatus(), signals.getMemory().getStatus(),
        signals.getTemperature().getStatus(), signals.getSmart().getStatus(), signals.getNetwork().getStatus())) {
      assertThat(status.getAvailable() || !status.getReason().isBlank()).as(status.toString()).isTrue();
    }
    assertThat(sampler.facts().getCpuModel()).isNotNull();
  }
}
