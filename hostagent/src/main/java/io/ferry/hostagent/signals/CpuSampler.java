package io.ferry.hostagent.signals;

import io.ferry.v1.CpuSignal;

/**
 * Host CPU utilisation from {@code /proc/stat} deltas between consecutive samples, plus core count and load
 * averages from {@code /proc/loadavg}. The first sample, having no predecessor, reports the average since boot.
 * Never throws: an unreadable or nonsensical file yields an unavailable {@link CpuSignal} with the reason.
 */
public final class CpuSampler {
  static final String SIGNAL = "cpu";
  private final HostFiles files;
  private final SignalAvailability availability;
  private CpuTimes previous;

  public CpuSampler(HostFiles files, SignalAvailability availability) {
    this.files = files;
    this.availability = availability;
  }

  public synchronized CpuSignal sample() {
    try {
      CpuTimes now = CpuTimes.parse(files.read("/proc/stat"));
      double[] load = parseLoad(files.read("/proc/loadavg"));
      double utilization = previous == null ? now.utilizationSinceBoot() : now.utilizationSince(previous);
      previous = now;
      return CpuSignal.newBuilder()
          .setStatus(availability.available(SIGNAL))
          .setUtilizationRatio(utilization)
          .setCores(now.cores())
          .setLoad1(load[0])
          .setLoad5(load[1])
          .setLoad15(load[2])
          .build();
    } catch (Unavailable e) {
      return CpuSignal.newBuilder().setStatus(availability.unavailable(SIGNAL, e)).build();
    }
  }

  private static double[] parseLoad(String loadavg) throws Unavailable {
    String[] f = loadavg.trim().split("\\s+");
    if (f.length < 3) {
      throw Readings.malformed("/proc/loadavg", "expected three load averages");
    }
    double[] load = new double[3];
    for (int i = 0; i < 3; i++) {
      load[i] = Readings.nonNegativeDouble(f[i], "/proc/loadavg");
    }
    return load;
  }
}
