package io.ferry.hostagent.signals;

/**
 * The aggregate CPU line and the core count of one {@code /proc/stat} snapshot, in clock ticks since boot.
 * Busy is everything but idle and iowait; guest time is left out because the kernel already counts it in user.
 */
record CpuTimes(long totalTicks, long idleTicks, int cores) {
  private static final String WHERE = "/proc/stat";

  static CpuTimes parse(String procStat) throws Unavailable {
    long total = -1;
    long idle = 0;
    int cores = 0;
    for (String line : procStat.split("\n")) {
      if (line.startsWith("cpu ")) {
        String[] f = line.trim().split("\\s+");
        if (f.length < 5) {
          throw Readings.malformed(WHERE, "aggregate cpu line has " + (f.length - 1) + " fields");
        }
        total = 0;
        // user nice system idle iowait irq softirq steal [guest guest_nice]
        for (int i = 1; i < Math.min(f.length, 9); i++) {
          total += Readings.nonNegativeLong(f[i], WHERE + " cpu field " + i);
        }
        idle = Readings.nonNegativeLong(f[4], WHERE + " cpu idle")
            + (f.length > 5 ? Readings.nonNegativeLong(f[5], WHERE + " cpu iowait") : 0);
      } else if (line.startsWith("cpu") && line.length() > 3 && Character.isDigit(line.charAt(3))) {
        cores++;
      }
    }
    if (total < 0) {
      throw Readings.malformed(WHERE, "no aggregate 'cpu' line");
    }
    return new CpuTimes(total, idle, Math.max(cores, 1));
  }

  /** Busy share of the time between {@code earlier} and this snapshot, 0..1. */
  double utilizationSince(CpuTimes earlier) throws Unavailable {
    long total = totalTicks - earlier.totalTicks;
    long idleDelta = idleTicks - earlier.idleTicks;
    if (total <= 0 || idleDelta < 0) {
      throw new Unavailable(Unavailable.Kind.INVALID_READING,
          "no CPU time elapsed in /proc/stat since the previous sample");
    }
    return clampRatio(1.0 - (double) idleDelta / total);
  }

  /** Busy share since boot: what the first sample reports before there is a delta. */
  double utilizationSinceBoot() {
    return totalTicks == 0 ? 0 : clampRatio(1.0 - (double) idleTicks / totalTicks);
  }

  private static double clampRatio(double ratio) {
    return Math.max(0, Math.min(1, ratio));
  }
}
