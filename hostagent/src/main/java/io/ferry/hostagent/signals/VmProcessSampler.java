package io.ferry.hostagent.signals;

import io.ferry.v1.SignalStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-VM CPU (from {@code utime + stime} deltas in {@code /proc/PID/stat}) and resident memory
 * ({@code VmRSS} in {@code /proc/PID/status}). A VM process that vanished is the VM stopping, which the
 * hypervisor driver reports; so unlike the host samplers this one neither counts nor logs, it just says so.
 */
public final class VmProcessSampler {
  // USER_HZ: the unit of /proc/PID/stat times; 100 on every Linux architecture Ferry runs on.
  static final double CLOCK_TICKS_PER_SECOND = 100.0;

  private record Previous(long ticks, Instant at) {}

  private final HostFiles files;
  private final Clock clock;
  private final Map<Long, Previous> previousByPid = new ConcurrentHashMap<>();

  public VmProcessSampler(HostFiles files, Clock clock) {
    this.files = files;
    this.clock = clock;
  }

  public VmProcessUsage sample(long pid) {
    Instant now = clock.instant();
    try {
      long ticks = cpuTicks(files.read("/proc/" + pid + "/stat"), pid);
      long residentBytes = residentBytes(files.read("/proc/" + pid + "/status"), pid);
      Previous before = previousByPid.put(pid, new Previous(ticks, now));
      double cores = 0;
      if (before != null) {
        double seconds = Duration.between(before.at(), now).toNanos() / 1e9;
        long delta = ticks - before.ticks();
        cores = seconds > 0 && delta >= 0 ? delta / CLOCK_TICKS_PER_SECOND / seconds : 0;
      }
      return new VmProcessUsage(pid, cores, residentBytes, SignalStatus.newBuilder().setAvailable(true).build());
    } catch (Unavailable e) {
      previousByPid.remove(pid);
      return new VmProcessUsage(pid, 0, 0,
          SignalStatus.newBuilder().setAvailable(false).setReason(e.reason()).build());
    }
  }

  /** Drops what is remembered about a process that has gone. */
  public void forget(long pid) {
    previousByPid.remove(pid);
  }

  static long cpuTicks(String stat, long pid) throws Unavailable {
    String where = "/proc/" + pid + "/stat";
    // The command name is in parentheses and may itself contain spaces and ')'; fields resume after the last ')'.
    int close = stat.lastIndexOf(')');
    if (close < 0) {
      throw Readings.malformed(where, "no command name");
    }
    String[] f = stat.substring(close + 1).trim().split("\\s+");
    // After the name: state(3) ppid(4) ... utime(14) stime(15) => indexes 11 and 12 here.
    if (f.length < 13) {
      throw Readings.malformed(where, "only " + f.length + " fields after the command name");
    }
    return Readings.nonNegativeLong(f[11], where + " utime") + Readings.nonNegativeLong(f[12], where + " stime");
  }

  static long residentBytes(String status, long pid) throws Unavailable {
    String where = "/proc/" + pid + "/status";
    for (String line : status.split("\n")) {
      if (line.startsWith("VmRSS:")) {
        String value = line.substring("VmRSS:".length()).trim();
        if (value.endsWith("kB")) {
          value = value.substring(0, value.length() - 2);
        }
        return Readings.nonNegativeLong(value, where + " VmRSS") * 1024;
      }
    }
    // Kernel threads and zombies have no VmRSS: a VM process without one is not a running VM.
    throw Readings.malformed(where, "no VmRSS line (process exiting?)");
  }
}
