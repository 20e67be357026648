package io.ferry.hostagent.signals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VmProcessSamplerTest {
  @TempDir Path root;
  final MutableClock clock = new MutableClock();

  @Test
  void cpuCoresAreTickDeltasOverWallTime() {
    FixtureHost host = new FixtureHost(root).put("/proc/4711/stat", "proc/vm-process/stat-t0")
        .put("/proc/4711/status", "proc/vm-process/status");
    VmProcessSampler sampler = new VmProcessSampler(host.files(), clock);
    assertThat(sampler.sample(4711).cpuCores()).isZero();
    host.put("/proc/4711/stat", "proc/vm-process/stat-t1");
    clock.advance(Duration.ofSeconds(2));

    VmProcessUsage usage = sampler.sample(4711);

    // (1300 + 300) - (1000 + 200) = 400 ticks = 4 s of CPU in 2 s of wall time
    assertThat(usage.cpuCores()).isCloseTo(2.0, within(1e-9));
    assertThat(usage.residentBytes()).isEqualTo(4L * 1024 * 1024 * 1024);
    assertThat(usage.status().getAvailable()).isTrue();
  }

  @Test
  void commandNameWithParenthesesAndSpacesDoesNotShiftFields() throws Exception {
    String stat = java.nio.file.Files.readString(FixtureHost.fixture("proc/vm-process/stat-odd-name"));

    assertThat(VmProcessSampler.cpuTicks(stat, 4711)).isEqualTo(75);
  }

  @Test
  void vanishedProcessIsUnavailableWithItsPath() {
    VmProcessUsage usage = new VmProcessSampler(new FixtureHost(root).files(), clock).sample(99);

    assertThat(usage.status().getAvailable()).isFalse();
    assertThat(usage.status().getReason()).isEqualTo("missing: /proc/99/stat");
  }
}
