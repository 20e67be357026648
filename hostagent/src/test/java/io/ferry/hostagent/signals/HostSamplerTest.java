package io.ferry.hostagent.signals;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.v1.HostSignals;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostSamplerTest {
  @TempDir Path root;
  final MutableClock clock = new MutableClock();
  final FakeSmartctl smartctl = new FakeSmartctl();
  FixtureHost host;
  HostSampler sampler;

  @BeforeEach
  void twoCoreHostWithOneSensorAndThreeDisks() {
    host = new FixtureHost(root).put("/proc/stat", "proc/2-core/stat-t0").put("/proc/loadavg", "proc/2-core/loadavg")
        .put("/proc/meminfo", "proc/2-core/meminfo").put("/proc/net/dev", "proc/2-core/net-dev-t0")
        .write("/sys/class/hwmon/hwmon0/temp1_input", "61000")
        .write("/sys/class/hwmon/hwmon0/temp1_label", "Package id 0");
    smartctl.answer(FakeSmartctl.SCAN, 0, "scan-open.json")
        .answer("/dev/sda", 216, "ata-degrading-2.json")
        .answer("/dev/sdb", 2, "open-permission-denied.json")
        .answer("/dev/nvme0", 72, "nvme-critical-warning.json");
    sampler = HostSampler.builder(host.registry).files(host.files()).runner(smartctl).clock(clock)
        .intervals(new SamplingIntervals(Duration.ofSeconds(5), Duration.ofMinutes(10))).build();
  }

  private long smartScans() {
    return smartctl.calls.stream().filter(c -> c.contains(FakeSmartctl.SCAN)).count();
  }

  private double gauge(String name, String tag, String value) {
    return host.registry.get(name).tag(tag, value).gauge().value();
  }

  @Test
  void composesEverySignal() {
    HostSignals signals = sampler.sample();

    assertThat(signals.getCpu().getCores()).isEqualTo(2);
    assertThat(signals.getMemory().getTotalBytes()).isEqualTo(4028440L * 1024);
    assertThat(signals.getTemperature().getHeadlineCelsius()).isEqualTo(61.0);
    assertThat(signals.getSmart().getDisksCount()).isEqualTo(3);
    assertThat(signals.getNetwork().getStatus().getReason()).startsWith("warming up");
    assertThat(signals.getSampledAt().getSeconds()).isEqualTo(clock.instant().getEpochSecond());
    assertThat(sampler.latest()).isEqualTo(signals);
  }

  @Test
  void smartRunsOnItsOwnIntervalAndIsCachedBetween() {
    sampler.sample();
    for (int i = 0; i < 119; i++) {
      clock.advance(Duration.ofSeconds(5));
      assertThat(sampler.sample().getSmart().getDisksCount()).isEqualTo(3);
    }
    assertThat(smartScans()).isEqualTo(1);

    clock.advance(Duration.ofSeconds(5));
    sampler.sample();

    assertThat(smartScans()).isEqualTo(2);
  }

  @Test
  void publishesGaugesForTheLatestSample() {
    sampler.sample();
    host.put("/proc/stat", "proc/2-core/stat-t1").put("/proc/net/dev", "proc/2-core/net-dev-t1");
    clock.advance(Duration.ofSeconds(5));
    sampler.sample();

    assertThat(host.registry.get("ferry_host_cpu_utilization_ratio").gauge().value()).isCloseTo(0.6, within());
    assertThat(host.registry.get("ferry_host_memory_used_bytes").gauge().value())
        .isEqualTo((4028440.0 - 3012340.0) * 1024);
    assertThat(host.registry.get("ferry_host_memory_total_bytes").gauge().value()).isEqualTo(4028440.0 * 1024);
    assertThat(gauge("ferry_host_temperature_celsius", "sensor", "hwmon0/temp1")).isEqualTo(61.0);
    assertThat(gauge("ferry_host_smart_reallocated_sectors", "device", "/dev/sda")).isEqualTo(1248);
    assertThat(gauge("ferry_host_smart_pending_sectors", "device", "/dev/sda")).isEqualTo(64);
    assertThat(gauge("ferry_host_smart_healthy", "device", "/dev/sda")).isZero();
    assertThat(gauge("ferry_host_nvme_percentage_used", "device", "/dev/nvme0")).isEqualTo(104);
    assertThat(gauge("ferry_host_network_receive_bytes_per_second", "interface", "eth0")).isEqualTo(100_000);
    assertThat(gauge("ferry_host_network_transmit_bytes_per_second", "interface", "eth0")).isEqualTo(50_000);
  }

  @Test
  void gaugesOfASignalThatBecameUnavailableReadNaN() {
    sampler.sample();
    host.write("/sys/class/hwmon/hwmon0/temp1_input", "NaN");
    clock.advance(Duration.ofSeconds(5));

    sampler.sample();

    assertThat(gauge("ferry_host_temperature_celsius", "sensor", "hwmon0/temp1")).isNaN();
    assertThat(host.registry.get("ferry_host_temperature_headline_celsius").gauge().value()).isNaN();
    assertThat(host.registry.get("ferry_host_memory_used_bytes").gauge().value()).isNotNaN();
  }

  @Test
  void startSchedulesBothLoopsAndCloseCancelsThem() throws Exception {
    java.util.concurrent.ScheduledThreadPoolExecutor executor = new java.util.concurrent.ScheduledThreadPoolExecutor(1);
    executor.setRemoveOnCancelPolicy(true);
    java.util.concurrent.CountDownLatch busy = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    try {
      // Occupy the only thread so the sampling tasks stay queued where the test can see them.
      executor.execute(() -> {
        busy.countDown();
        awaitQuietly(release);
      });
      busy.await();
      AutoCloseable running = sampler.start(executor);
      assertThat(executor.getQueue()).hasSize(2);

      running.close();

      assertThat(executor.getQueue()).isEmpty();
    } finally {
      release.countDown();
      executor.shutdownNow();
    }
  }

  private static void awaitQuietly(java.util.concurrent.CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static org.assertj.core.data.Offset<Double> within() {
    return org.assertj.core.data.Offset.offset(1e-9);
  }
}
