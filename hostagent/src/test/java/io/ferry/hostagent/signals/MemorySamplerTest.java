package io.ferry.hostagent.signals;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.v1.MemorySignal;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MemorySamplerTest {
  @TempDir Path root;

  @Test
  void usedIsTotalMinusAvailable() {
    FixtureHost host = new FixtureHost(root).put("/proc/meminfo", "proc/2-core/meminfo");

    MemorySignal memory = new MemorySampler(host.files(), host.availability).sample();

    assertThat(memory.getStatus().getAvailable()).isTrue();
    assertThat(memory.getTotalBytes()).isEqualTo(4028440L * 1024);
    assertThat(memory.getAvailableBytes()).isEqualTo(3012340L * 1024);
    assertThat(memory.getUsedBytes()).isEqualTo((4028440L - 3012340L) * 1024);
  }

  @Test
  void readsALargeHost() {
    FixtureHost host = new FixtureHost(root).put("/proc/meminfo", "proc/64-core/meminfo");

    MemorySignal memory = new MemorySampler(host.files(), host.availability).sample();

    assertThat(memory.getTotalBytes()).isEqualTo(263855128L * 1024);
    assertThat(memory.getUsedBytes()).isEqualTo((263855128L - 62914560L) * 1024);
  }

  @Test
  void oldKernelWithoutMemAvailableFallsBackToFreePlusCache() {
    FixtureHost host = new FixtureHost(root).write("/proc/meminfo",
        "MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 250 kB\n");

    MemorySignal memory = new MemorySampler(host.files(), host.availability).sample();

    assertThat(memory.getAvailableBytes()).isEqualTo(400 * 1024);
    assertThat(memory.getUsedBytes()).isEqualTo(600 * 1024);
  }

  @Test
  void negativeValueIsAnInvalidReading() {
    FixtureHost host = new FixtureHost(root).write("/proc/meminfo", "MemTotal: -1000 kB\nMemAvailable: 10 kB\n");

    MemorySignal memory = new MemorySampler(host.files(), host.availability).sample();

    assertThat(memory.getStatus().getAvailable()).isFalse();
    assertThat(memory.getStatus().getReason()).isEqualTo("invalid reading in /proc/meminfo MemTotal: '-1000'");
  }

  @Test
  void availableAboveTotalIsAnInvalidReading() {
    FixtureHost host = new FixtureHost(root).write("/proc/meminfo", "MemTotal: 1000 kB\nMemAvailable: 2000 kB\n");

    MemorySignal memory = new MemorySampler(host.files(), host.availability).sample();

    assertThat(memory.getStatus().getReason()).contains("exceeds MemTotal");
  }

  @Test
  void missingMemTotalIsUnavailable() {
    FixtureHost host = new FixtureHost(root).write("/proc/meminfo", "MemFree: 100 kB\n");

    MemorySignal memory = new MemorySampler(host.files(), host.availability).sample();

    assertThat(memory.getStatus().getReason()).isEqualTo("unexpected format in /proc/meminfo: no MemTotal line");
  }
}
