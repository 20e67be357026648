package io.ferry.hostagent.migration;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.hostagent.hypervisor.VirtualMachine;
import io.ferry.v1.MigrationPhase;
import io.ferry.v1.MigrationStrategy;
import io.ferry.v1.VmState;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreCopyMigrationTest {
  @TempDir Path dir;
  TestHosts hosts;

  @BeforeEach
  void setUp() {
    hosts = new TestHosts(dir);
  }

  @AfterEach
  void tearDown() {
    hosts.close();
  }

  @Test
  void preCopyMovesDirtyingVmWithIdenticalMemoryAndContinuingProgress() throws Exception {
    VirtualMachine vm = hosts.startOnSource(TestHosts.spec("vm1", 32, 4, "uniform"));
    awaitProgress(vm, 50);

    MigrationOutcome outcome = hosts.migrate(hosts.request("vm1", MigrationStrategy.PRE_COPY,
        TestHosts.limits().build()));

    assertThat(outcome.result()).as(outcome.reason()).isEqualTo(MigrationPhase.COMMITTED);
    assertThat(hosts.src.has("vm1")).isFalse();
    VirtualMachine moved = hosts.dst.vm("vm1");
    assertThat(moved.state()).isEqualTo(VmState.VM_RUNNING);
    long at = moved.progressCounter();
    awaitProgress(moved, at + 20);
    assertThat(outcome.stats().getRounds()).isGreaterThanOrEqualTo(1);
    assertThat(outcome.stats().getDowntime().getNanos() + outcome.stats().getDowntime().getSeconds())
        .isPositive();
    assertThat(hosts.overlap()).isEmpty();
  }

  static void awaitProgress(VirtualMachine vm, long atLeast) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (vm.progressCounter() < atLeast) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("VM " + vm.name() + " made no progress: counter " + vm.progressCounter());
      }
      Thread.onSpinWait();
      Thread.sleep(5);
    }
  }
}
