package io.ferry.hostagent.signals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.ferry.v1.CpuSignal;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpuSamplerTest {
  @TempDir Path root;
  FixtureHost host;

  private FixtureHost host(String stat, String loadavg) {
    FixtureHost host = new FixtureHost(root);
    if (stat.startsWith("proc/")) {
      host.put("/proc/stat", stat);
    } else {
      host.write("/proc/stat", stat);
    }
    return loadavg.startsWith("proc/") ? host.put("/proc/loadavg", loadavg) : host.write("/proc/loadavg", loadavg);
  }

  /** Samples {@code dir/stat-t0}, then returns the sample of {@code dir/stat-t1}. */
  private CpuSignal sampleT0ThenT1(String dir) {
    FixtureHost host = host(dir + "/stat-t0", dir + "/loadavg");
    CpuSampler cpu = new CpuSampler(host.files(), host.availability);
    cpu.sample();
    host.put("/proc/stat", dir + "/stat-t1");
    return cpu.sample();
  }

  /** One sample of a host with these /proc/stat and /proc/loadavg (fixture names or literal text). */
  private CpuSignal sampleOnce(String stat, String loadavg) {
    host = host(stat, loadavg);
    return new CpuSampler(host.files(), host.availability).sample();
  }

  @Test
  void reportsUtilisationBetweenTwoSamplesOfATwoCoreHost() {
    CpuSignal signal = sampleT0ThenT1("proc/2-core");

    assertThat(signal.getStatus().getAvailable()).isTrue();
    assertThat(signal.getUtilizationRatio()).isCloseTo(0.6, within(1e-9));
    assertThat(signal.getCores()).isEqualTo(2);
    assertThat(signal.getLoad1()).isEqualTo(0.52);
    assertThat(signal.getLoad5()).isEqualTo(0.41);
    assertThat(signal.getLoad15()).isEqualTo(0.30);
  }

  @Test
  void reportsUtilisationAndCoresOfASixtyFourCoreHost() {
    CpuSignal signal = sampleT0ThenT1("proc/64-core");

    assertThat(signal.getUtilizationRatio()).isCloseTo(0.25, within(1e-9));
    assertThat(signal.getCores()).isEqualTo(64);
    assertThat(signal.getLoad1()).isEqualTo(16.02);
  }

  @Test
  void firstSampleReportsTheAverageSinceBoot() {
    CpuSignal signal = sampleOnce("proc/2-core/stat-t0", "proc/2-core/loadavg");

    // 10000 ticks since boot of which 8500 idle or iowait; guest time is already inside user
    assertThat(signal.getUtilizationRatio()).isCloseTo(0.15, within(1e-9));
  }

  @Test
  void missingProcStatIsUnavailableWithItsPath() {
    FixtureHost host = new FixtureHost(root).put("/proc/loadavg", "proc/2-core/loadavg");

    CpuSignal signal = new CpuSampler(host.files(), host.availability).sample();

    assertThat(signal.getStatus().getAvailable()).isFalse();
    assertThat(signal.getStatus().getReason()).isEqualTo("missing: /proc/stat");
    assertThat(host.unavailableCount("cpu", "missing")).isEqualTo(1);
  }

  @Test
  void nanLoadAverageIsAnInvalidReading() {
    CpuSignal signal = sampleOnce("proc/2-core/stat-t0", "NaN 0.41 0.30 2/183 4242\n");

    assertThat(signal.getStatus().getReason()).isEqualTo("invalid reading in /proc/loadavg: 'NaN'");
    assertThat(host.unavailableCount("cpu", "invalid_reading")).isEqualTo(1);
  }

  @Test
  void negativeTickCounterIsAnInvalidReading() {
    CpuSignal signal = sampleOnce("cpu  100 0 -5 800 0 0 0 0 0 0\ncpu0 1 2 3 4\n", "proc/2-core/loadavg");

    assertThat(signal.getStatus().getAvailable()).isFalse();
    assertThat(signal.getStatus().getReason()).startsWith("invalid reading in /proc/stat").contains("'-5'");
  }

  @Test
  void countersThatDidNotAdvanceAreReportedNotDividedByZero() {
    FixtureHost host = host("proc/2-core/stat-t0", "proc/2-core/loadavg");
    CpuSampler cpu = new CpuSampler(host.files(), host.availability);
    cpu.sample();

    CpuSignal signal = cpu.sample();

    assertThat(signal.getStatus().getAvailable()).isFalse();
    assertThat(signal.getStatus().getReason()).contains("no CPU time elapsed");
  }

  @Test
  void truncatedProcStatIsUnavailable() {
    CpuSignal signal = sampleOnce("intr 1 2 3\n", "proc/2-core/loadavg");

    assertThat(signal.getStatus().getReason()).isEqualTo("unexpected format in /proc/stat: no aggregate 'cpu' line");
  }
}
