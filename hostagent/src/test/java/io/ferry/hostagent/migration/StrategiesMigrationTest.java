package io.ferry.hostagent.migration;


import io.ferry.hostagent.migration.kit.LoopbackAgents;
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

class StrategiesMigrationTest {
  @TempDir Path dir;
  LoopbackAgents hosts;

  @BeforeEach
  void setUp() {
    hosts = new LoopbackAgents(dir);
  }

  @AfterEach
  void tearDown() {
    hosts.close();
  }

  @Test
  void preCopyMovesDirtyingVmWithIdenticalMemoryAndContinuingProgress() throws Exception {
    VirtualMachine vm = hosts.startOnSource(LoopbackAgents.spec("vm1", 32, 4, "uniform"));
    Await.progress(vm, 50);

    MigrationOutcome outcome = hosts.migrate(hosts.request("vm1", MigrationStrategy.PRE_COPY,
        LoopbackAgents.limits().setCompression("lz4").build()));

    assertThat(outcome.result()).as(outcome.reason()).isEqualTo(MigrationPhase.COMMITTED);
    assertThat(hosts.src.has("vm1")).isFalse();
    VirtualMachine moved = hosts.dst.vm("vm1");
    assertThat(moved.state()).isEqualTo(VmState.VM_RUNNING);
    long at = moved.progressCounter();
    Await.progress(moved, at + 20);
    assertThat(outcome.stats().getRounds()).isGreaterThanOrEqualTo(1);
    var meters = hosts.src.meters;
    assertThat(meters.get("ferry.migrations").tag("result", "committed").tag("strategy", "pre_copy").counter()
        .count()).isEqualTo(1);
    assertThat(meters.get("ferry.migration.bytes").tag("kind", "ram").counter().count()).isPositive();
    assertThat(meters.get("ferry.migration.downtime").timer().count()).isEqualTo(1);
    assertThat(meters.get("ferry.migrations.in.flight").gauge().value()).isZero();
    assertThat(outcome.stats().getDowntime().getNanos() + outcome.stats().getDowntime().getSeconds())
        .isPositive();
    assertThat(hosts.overlap()).isEmpty();
  }

  @Test
  void preCopyCopiesEveryPageByteForByte() throws Exception {
    VirtualMachine vm = hosts.startOnSource(LoopbackAgents.spec("quiet", 16, 0, "uniform"));
    Await.progress(vm, 10);
    String before = MemoryImages.memoryWithoutCounterPage(vm);

    MigrationOutcome outcome = hosts.migrate(hosts.request("quiet", MigrationStrategy.PRE_COPY,
        LoopbackAgents.limits().setCompression("zstd").build()));

    assertThat(outcome.committed()).as(outcome.reason()).isTrue();
    assertThat(MemoryImages.memoryWithoutCounterPage(hosts.dst.vm("quiet"))).isEqualTo(before);
    assertThat(outcome.stats().getPagesZeroSkipped()).isPositive();
    assertThat(hosts.overlap()).isEmpty();
  }

  @Test
  void postCopyStartsAtOnceAndFetchesEveryPage() throws Exception {
    VirtualMachine vm = hosts.startOnSource(LoopbackAgents.spec("pc", 16, 0, "uniform"));
    Await.progress(vm, 10);
    String before = MemoryImages.memoryWithoutCounterPage(vm);

    MigrationOutcome outcome = hosts.migrate(hosts.request("pc", MigrationStrategy.POST_COPY,
        LoopbackAgents.limits().setAllowPostCopy(true).build()));

    assertThat(outcome.committed()).as(outcome.reason()).isTrue();
    VirtualMachine moved = hosts.dst.vm("pc");
    assertThat(((io.ferry.hostagent.hypervisor.PageAccess) moved.migrationSupport()).memory().missingPageCount())
        .isZero();
    assertThat(MemoryImages.memoryWithoutCounterPage(moved)).isEqualTo(before);
    assertThat(outcome.stats().getPostCopyFaults()).isPositive();
    Await.progress(moved, moved.progressCounter() + 10);
    assertThat(hosts.overlap()).isEmpty();
  }

  @Test
  void postCopyOfBusyGuestKeepsItRunning() throws Exception {
    VirtualMachine vm = hosts.startOnSource(LoopbackAgents.spec("busy", 16, 8, "hot"));
    Await.progress(vm, 10);

    MigrationOutcome outcome = hosts.migrate(hosts.request("busy", MigrationStrategy.POST_COPY,
        LoopbackAgents.limits().setAllowPostCopy(true).build()));

    assertThat(outcome.committed()).as(outcome.reason()).isTrue();
    VirtualMachine moved = hosts.dst.vm("busy");
    Await.progress(moved, moved.progressCounter() + 20);
    assertThat(hosts.overlap()).isEmpty();
  }

  /** Starts a guest dirtying 16 MiB/s and migrates it over an 8 MiB/s link: twice faster than the link. */
  private MigrationOutcome migrateGuestOutrunningTheLink(String name, MigrationStrategy strategy, int maxRounds)
      throws Exception {
    VirtualMachine vm = hosts.startOnSource(LoopbackAgents.spec(name, 16, 16, "hot"));
    Await.progress(vm, 10);
    return hosts.migrate(hosts.request(name, strategy,
        LoopbackAgents.limits().setBandwidthBytesPerSecond(8 << 20).setMaxRounds(maxRounds).build()));
  }

  @Test
  void preCopyGivesUpWhenGuestOutrunsTheLink() throws Exception {
    MigrationOutcome outcome = migrateGuestOutrunningTheLink("hot", MigrationStrategy.PRE_COPY, 4);
    VirtualMachine vm = hosts.src.vm("hot");

    assertThat(outcome.result()).isEqualTo(MigrationPhase.ROLLED_BACK);
    assertThat(outcome.reason()).contains("did not converge");
    assertThat(vm.state()).isEqualTo(VmState.VM_RUNNING);
    Await.progress(vm, vm.progressCounter() + 10);
    assertThat(hosts.dst.has("hot")).isFalse();
  }

  @Test
  void autoEscalatesToPostCopyWhenAllowed() throws Exception {
    VirtualMachine vm = hosts.startOnSource(LoopbackAgents.spec("auto1", 16, 16, "hot"));
    Await.progress(vm, 10);
    var request = hosts.request("auto1", MigrationStrategy.AUTO,
        LoopbackAgents.limits().setBandwidthBytesPerSecond(8 << 20).setAllowPostCopy(true).setMaxRounds(6).build());

    MigrationOutcome outcome = hosts.migrate(request);

    assertThat(outcome.committed()).as(outcome.reason()).isTrue();
    assertThat(hosts.src.engine.status(request.getMigrationId()).orElseThrow().getStrategyInUse())
        .isEqualTo(MigrationStrategy.POST_COPY);
    Await.progress(hosts.dst.vm("auto1"), hosts.dst.vm("auto1").progressCounter() + 10);
    assertThat(hosts.overlap()).isEmpty();
  }

  @Test
  void autoThrottlesGuestWhenPostCopyIsNotAllowed() throws Exception {
    VirtualMachine vm = hosts.startOnSource(LoopbackAgents.spec("auto2", 16, 16, "hot"));
    Await.progress(vm, 10);
    var request = hosts.request("auto2", MigrationStrategy.AUTO,
        LoopbackAgents.limits().setBandwidthBytesPerSecond(8 << 20).setMaxRounds(6).build());

    MigrationOutcome outcome = hosts.migrate(request);

    assertThat(outcome.committed()).as(outcome.reason()).isTrue();
    assertThat(hosts.src.engine.status(request.getMigrationId()).orElseThrow().getStrategyInUse())
        .isEqualTo(MigrationStrategy.AUTO_CONVERGE);
    assertThat(hosts.overlap()).isEmpty();
  }

  @Test
  void autoConvergeThrottlesTheGuestUntilItConverges() throws Exception {
    MigrationOutcome outcome = migrateGuestOutrunningTheLink("ac", MigrationStrategy.AUTO_CONVERGE, 6);

    assertThat(outcome.committed()).as(outcome.reason()).isTrue();
    assertThat(outcome.stats().getRounds()).isGreaterThan(2);
    VirtualMachine moved = hosts.dst.vm("ac");
    assertThat(moved.throttleRatio()).as("the destination runs at full speed").isZero();
    Await.progress(moved, moved.progressCounter() + 10);
  }

  @Test
  void postCopyNeedsPolicyPermission() throws Exception {
    VirtualMachine vm = hosts.startOnSource(LoopbackAgents.spec("nopc", 8, 0, "uniform"));

    MigrationOutcome outcome = hosts.migrate(hosts.request("nopc", MigrationStrategy.POST_COPY,
        LoopbackAgents.limits().build()));

    assertThat(outcome.result()).isEqualTo(MigrationPhase.FAILED);
    assertThat(outcome.reason()).contains("allow_post_copy");
    assertThat(vm.state()).isEqualTo(VmState.VM_RUNNING);
  }

  @Test
  void storageMigrationCopiesDiskWhileGuestWrites() throws Exception {
    VirtualMachine vm = hosts.startOnSource(LoopbackAgents.withDisk(LoopbackAgents.spec("disk", 8, 1, "uniform"), 16, 2));
    Await.progress(vm, 10);

    MigrationOutcome outcome = hosts.migrate(hosts.request("disk", MigrationStrategy.PRE_COPY,
        LoopbackAgents.limits().setWithStorage(true).build()));

    assertThat(outcome.committed()).as(outcome.reason()).isTrue();
    assertThat(outcome.stats().getBytesDisk()).isPositive();
    VirtualMachine moved = hosts.dst.vm("disk");
    assertThat(moved.usage().getDiskBytes()).isEqualTo(16L << 20);
    Await.progress(moved, moved.progressCounter() + 10);
    assertThat(hosts.overlap()).isEmpty();
  }

  @Test
  void storageMigrationLeavesIdenticalDisk() throws Exception {
    VirtualMachine vm = hosts.startOnSource(LoopbackAgents.withDisk(LoopbackAgents.spec("disk2", 8, 0, "uniform"), 8, 0));
    ((io.ferry.hostagent.hypervisor.PageAccess) vm.migrationSupport()).disks().get(0)
        .writeBlock(5, java.nio.ByteBuffer.wrap(new byte[4096]).put(0, (byte) 7));
    String before = MemoryImages.disks(vm);

    MigrationOutcome outcome = hosts.migrate(hosts.request("disk2", MigrationStrategy.AUTO,
        LoopbackAgents.limits().setWithStorage(true).build()));

    assertThat(outcome.committed()).as(outcome.reason()).isTrue();
    assertThat(MemoryImages.disks(hosts.dst.vm("disk2"))).isEqualTo(before);
  }

  @Test
  void refusesLocalDisksWithoutStorageMigration() throws Exception {
    VirtualMachine vm = hosts.startOnSource(LoopbackAgents.withDisk(LoopbackAgents.spec("nodisk", 8, 0, "uniform"), 8, 0));

    MigrationOutcome outcome = hosts.migrate(hosts.request("nodisk", MigrationStrategy.PRE_COPY,
        LoopbackAgents.limits().build()));

    assertThat(outcome.result()).isEqualTo(MigrationPhase.FAILED);
    assertThat(outcome.reason()).contains("with_storage");
    assertThat(vm.state()).isEqualTo(VmState.VM_RUNNING);
  }
}
