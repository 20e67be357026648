package io.ferry.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A fixture root that looks like a large KVM host to the signal samplers: {@code /proc/stat} with {@code cores}
 * CPUs, {@code /proc/meminfo}, {@code /proc/loadavg}, {@code /proc/net/dev} with {@code interfaces} interfaces and
 * {@code sensors} hwmon temperature sensors (coretemp-style, with label, max and crit). {@link #tick()} advances the
 * counters as one second of a busy host would, so every sample has real deltas.
 */
final class SyntheticHost {
  private static final int SENSORS_PER_CHIP = 16;

  private final Path root;
  private final int cores;
  private final int interfaces;
  private long ticks;

  SyntheticHost(Path root, int cores, int sensors, int interfaces) {
    this.root = root;
    this.cores = cores;
    this.interfaces = interfaces;
    write("proc/loadavg", "12.50 11.80 10.95 17/2048 91234\n");
    write("proc/meminfo", "MemTotal:       263855128 kB\nMemFree:        10485760 kB\n"
        + "MemAvailable:   62914560 kB\nBuffers:          409600 kB\nCached:         41943040 kB\n");
    for (int s = 0; s < sensors; s++) {
      String chip = "sys/class/hwmon/hwmon" + (s / SENSORS_PER_CHIP) + "/";
      int index = s % SENSORS_PER_CHIP + 1;
      write(chip + "name", "coretemp\n");
      write(chip + "temp" + index + "_input", (40000 + 500 * s) + "\n");
      write(chip + "temp" + index + "_label",
          (index == 1 ? "Package id " + s / SENSORS_PER_CHIP : "Core " + (index - 2)) + "\n");
      write(chip + "temp" + index + "_max", "80000\n");
      write(chip + "temp" + index + "_crit", "100000\n");
    }
    tick();
  }

  Path root() {
    return root;
  }

  /** One more second of a host that is 40 % busy and moves 10 MB/s per interface each way. */
  void tick() {
    ticks++;
    long perCore = 100 * ticks;
    StringBuilder stat = new StringBuilder();
    stat.append(String.format("cpu  %d 0 %d %d %d 0 %d 0 0 0%n", 30 * perCore * cores, 8 * perCore * cores,
        58 * perCore * cores, perCore * cores, perCore * cores));
    for (int c = 0; c < cores; c++) {
      stat.append(String.format("cpu%d %d 0 %d %d %d 0 %d 0 0 0%n", c, 30 * perCore, 8 * perCore, 58 * perCore,
          perCore, perCore));
    }
    stat.append("intr 1 2 3\nctxt 1990473\nbtime 1764200000\nprocesses 2915\n");
    write("proc/stat", stat.toString());
    StringBuilder dev = new StringBuilder("Inter-|   Receive    |  Transmit\n face |bytes packets|bytes packets\n");
    for (int i = 0; i < interfaces; i++) {
      long bytes = 10_000_000L * ticks;
      dev.append(String.format("%8s: %d 100 0 0 0 0 0 0 %d 90 0 0 0 0 0 0%n", "eth" + i, bytes, bytes));
    }
    write("proc/net/dev", dev.toString());
  }

  private void write(String relative, String text) {
    try {
      Path file = root.resolve(relative);
      Files.createDirectories(file.getParent());
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
