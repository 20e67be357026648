package io.ferry.hostagent.migration;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.hostagent.hypervisor.VirtualMachine;
import io.ferry.hostagent.migration.kit.LoopbackAgents;
import io.ferry.hostagent.sim.OffHeap;
import io.ferry.hostagent.sim.ReservedHugePages;
import io.ferry.v1.MigrationStrategy;
import io.ferry.v1.VmSpec;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sim hosts whose guest RAM lives on the host's reserved huge pages ({@code ferry agent --sim-hugepages}). */
class ReservedHugePagesMigrationTest {
  private static final long VM_BYTES = 32L << 20;

  @TempDir Path dir;

  @Test
  void aVmMovesBetweenHostsOnReservedHugePagesByteForByteAndTheSourceGivesItsPagesBack() throws Exception {
    ReservedHugePages.require(2 * VM_BYTES);
    long poolBefore = OffHeap.reservedHugePagesAvailableBytes();
    MigrationSettings s = MigrationSettings.defaults();
    try (LoopbackAgents hosts = new LoopbackAgents(dir, LoopbackAgents.SIM_ON_RESERVED_HUGE_PAGES, s, s, false)) {
      VmSpec spec = LoopbackAgents.spec("huge", VM_BYTES >> 20, 0, "uniform");
      VirtualMachine vm = hosts.startOnSource(spec.toBuilder().setSim(spec.getSim().toBuilder()
          .setMemoryTouchedBytes(VM_BYTES)).build());
      Await.progress(vm, 10);
      assertThat(poolBefore - OffHeap.reservedHugePagesAvailableBytes()).as("pool bytes the source VM holds")
          .isEqualTo(VM_BYTES);
      String before = MemoryImages.memoryWithoutCounterPage(vm);

      MigrationOutcome outcome = hosts.migrate(hosts.request("huge", MigrationStrategy.PRE_COPY,
          LoopbackAgents.limits().build()));

      assertThat(outcome.committed()).as(outcome.reason()).isTrue();
      VirtualMachine moved = hosts.dst.vm("huge");
      assertThat(MemoryImages.memoryWithoutCounterPage(moved)).isEqualTo(before);
      Await.progress(moved, moved.progressCounter() + 10);
      assertThat(hosts.src.has("huge")).isFalse();
      assertThat(poolBefore - OffHeap.reservedHugePagesAvailableBytes())
          .as("pool bytes held once the VM left the source: the destination's copy only").isEqualTo(VM_BYTES);
      assertThat(hosts.overlap()).isEmpty();
    }
    assertThat(OffHeap.reservedHugePagesAvailableBytes()).as("the pool after both hosts closed").isEqualTo(poolBefore);
  }
}
