package io.ferry.hostagent.sim;

import io.ferry.common.testing.CiTools;

/** Test kit: tests of guest RAM on the host's reserved huge pages ({@code --sim-hugepages}) need a pool. */
public final class ReservedHugePages {
  private ReservedHugePages() {}

  /**
   * Outside CI a host with fewer than {@code bytes} of reserved 2 MiB huge pages free skips the test; with
   * {@code CI=true} it fails (the README's test command reserves them).
   */
  public static void require(long bytes) {
    long available = OffHeap.reservedHugePagesAvailableBytes();
    CiTools.requireUsable("reserved 2 MiB huge pages", available >= bytes ? null : "the host has "
        + (available >> 20) + " MiB of reserved huge pages free, the test needs " + (bytes >> 20)
        + " MiB (sysctl vm.nr_hugepages; run-tests reserves them)");
  }
}
