package io.ferry.hostagent.hypervisor;

import java.time.Instant;

/** A VM started or stopped executing on a host at an instant. */
public record VmEvent(Instant at, String host, String vm, Kind kind) {
  /** {@code RUNNING} when the guest begins executing (start, resume); {@code STOPPED} when it no longer does. */
  public enum Kind { RUNNING, STOPPED }

  /** One line: {@code <epoch-nanos> <host> <vm> <kind>}. */
  public String toLine() {
    return (at.getEpochSecond() * 1_000_000_000L + at.getNano()) + " " + host + " " + vm + " " + kind;
  }

  public static VmEvent parse(String line) {
    String[] f = line.trim().split(" ");
    long nanos = Long.parseLong(f[0]);
    return new VmEvent(Instant.ofEpochSecond(nanos / 1_000_000_000L, nanos % 1_000_000_000L), f[1], f[2],
        Kind.valueOf(f[3]));
  }
}
