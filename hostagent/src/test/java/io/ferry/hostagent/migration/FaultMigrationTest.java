package io.ferry.hostagent.migration;


import io.ferry.hostagent.migration.kit.LoopbackAgents;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.ferry.hostagent.hypervisor.VirtualMachine;
import io.ferry.v1.ChunkKind;
import io.ferry.v1.MigrateVmRequest;
import io.ferry.v1.MigrationPhase;
import io.ferry.v1.MigrationStrategy;
import io.ferry.v1.TransferChunk;
import io.ferry.v1.VmState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Failures before the commit point leave the VM running on the source and nothing on the destination. */
class FaultMigrationTest {
  @TempDir Path dir;
  LoopbackAgents hosts;

  @AfterEach
  void tearDown() {
    if (hosts != null) {
      hosts.close();
    }
  }

  private VirtualMachine startHosts(UnaryOperator<TransferChunk> tamper, Duration idleTimeout) throws Exception {
    MigrationSettings d = MigrationSettings.defaults();
    hosts = new LoopbackAgents(dir, d.withTamper(tamper), d.withIncomingIdleTimeout(idleTimeout));
    VirtualMachine vm = hosts.startOnSource(LoopbackAgents.spec("vm", 16, 2, "uniform"));
    Await.progress(vm, 10);
    return vm;
  }

  private void assertIntactOnSourceOnly(VirtualMachine vm) throws Exception {
    assertThat(vm.state()).isEqualTo(VmState.VM_RUNNING);
    Await.progress(vm, vm.progressCounter() + 10);
    awaitAbsent("vm");
    assertThat(hosts.overlap()).isEmpty();
  }

  private void awaitAbsent(String vm) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (hosts.dst.has(vm) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(hosts.dst.has(vm)).as("incoming copy of " + vm + " removed from destination").isFalse();
  }

  @Test
  void corruptedChunkAbortsAndLeavesVmOnSource() throws Exception {
    VirtualMachine vm = startHosts(c -> c.getKind() == ChunkKind.RAM && c.getSequence() == 5
        && c.getEncoding() == io.ferry.v1.Encoding.RAW
        ? c.toBuilder().setPayload(flipFirstByte(c.getPayload())).build() : c, Duration.ofSeconds(10));

    MigrationOutcome outcome = hosts.migrate(hosts.request("vm", MigrationStrategy.PRE_COPY,
        LoopbackAgents.limits().setStreams(1).build()));

    assertThat(outcome.result()).isEqualTo(MigrationPhase.ROLLED_BACK);
    assertThat(outcome.reason()).contains("CRC32C");
    assertIntactOnSourceOnly(vm);
  }

  @Test
  void outOfOrderChunkAbortsAndLeavesVmOnSource() throws Exception {
    VirtualMachine vm = startHosts(c -> c.getSequence() == 7 ? c.toBuilder().setSequence(9).build() : c,
        Duration.ofSeconds(10));

    MigrationOutcome outcome = hosts.migrate(hosts.request("vm", MigrationStrategy.PRE_COPY,
        LoopbackAgents.limits().build()));

    assertThat(outcome.result()).isEqualTo(MigrationPhase.ROLLED_BACK);
    assertThat(outcome.reason()).contains("out of order");
    assertIntactOnSourceOnly(vm);
  }

  @Test
  void destinationDyingDuringTransferLeavesVmOnSource() throws Exception {
    // the destination's half-received copy goes when its server stops, or at the latest after the idle timeout
    VirtualMachine vm = startHosts(UnaryOperator.identity(), Duration.ofSeconds(1));
    MigrateVmRequest request = startSlowMigration();

    hosts.dst.server.shutdownNow();
    MigrationOutcome outcome = outcomeOf(request);

    assertThat(outcome.result()).isEqualTo(MigrationPhase.ROLLED_BACK);
    assertIntactOnSourceOnly(vm);
  }

  @Test
  void destinationDiscardsCopyWhenSourceGoesSilent() throws Exception {
    CountDownLatch sourceHangs = new CountDownLatch(1);
    VirtualMachine vm = startHosts(c -> {
      if (c.getSequence() == 20) {
        await(sourceHangs);
      }
      return c;
    }, Duration.ofMillis(400));
    MigrateVmRequest request = hosts.request("vm", MigrationStrategy.PRE_COPY, LoopbackAgents.limits().build());
    hosts.src.engine.start(request);
    awaitPresent("vm");

    awaitAbsent("vm");
    sourceHangs.countDown();
    MigrationOutcome outcome = outcomeOf(request);

    assertThat(outcome.result()).isEqualTo(MigrationPhase.ROLLED_BACK);
    assertIntactOnSourceOnly(vm);
  }

  @Test
  void cancelRightAfterStartRollsBack() throws Exception {
    VirtualMachine vm = startHosts(UnaryOperator.identity(), Duration.ofSeconds(10));
    MigrateVmRequest request = hosts.request("vm", MigrationStrategy.PRE_COPY,
        LoopbackAgents.limits().setBandwidthBytesPerSecond(2 << 20).build());

    hosts.src.engine.start(request);
    hosts.src.engine.cancel(request.getMigrationId(), "operator changed their mind");
    MigrationOutcome outcome = outcomeOf(request);

    assertThat(outcome.result()).isEqualTo(MigrationPhase.ROLLED_BACK);
    assertThat(outcome.reason()).contains("operator changed their mind");
    assertIntactOnSourceOnly(vm);
  }

  @Test
  void cancelDuringTransferRollsBack() throws Exception {
    VirtualMachine vm = startHosts(UnaryOperator.identity(), Duration.ofSeconds(10));
    MigrateVmRequest request = startSlowMigration();

    hosts.src.engine.cancel(request.getMigrationId(), "maintenance window closed");
    MigrationOutcome outcome = outcomeOf(request);

    assertThat(outcome.result()).isEqualTo(MigrationPhase.ROLLED_BACK);
    assertThat(outcome.reason()).contains("maintenance window closed");
    assertIntactOnSourceOnly(vm);
  }

  @Test
  void cancelDuringSwitchoverResumesVmOnSource() throws Exception {
    AtomicReference<Runnable> onDeviceState = new AtomicReference<>(() -> { });
    VirtualMachine vm = startHosts(c -> {
      if (c.getKind() == ChunkKind.DEVICE_STATE) {
        onDeviceState.get().run();
      }
      return c;
    }, Duration.ofSeconds(10));
    MigrateVmRequest request = hosts.request("vm", MigrationStrategy.PRE_COPY, LoopbackAgents.limits().build());
    onDeviceState.set(() -> hosts.src.engine.cancel(request.getMigrationId(), "cancelled in switchover"));

    MigrationOutcome outcome = hosts.migrate(request);

    assertThat(outcome.result()).isEqualTo(MigrationPhase.ROLLED_BACK);
    assertThat(outcome.reason()).contains("cancelled in switchover");
    assertIntactOnSourceOnly(vm);
  }

  @Test
  void postCopyPushRecoversFromABrokenStream() throws Exception {
    java.util.concurrent.atomic.AtomicBoolean broken = new java.util.concurrent.atomic.AtomicBoolean();
    // after the switchover (round -1 = post-copy push) one chunk arrives out of order: the destination ends that
    // stream, the source reconnects and pushes the rest again
    VirtualMachine vm = startHosts(c -> c.getRound() == -1 && c.getSequence() > 3 && broken.compareAndSet(false, true)
        ? c.toBuilder().setSequence(c.getSequence() + 5).build() : c, Duration.ofSeconds(10));
    String before = MemoryImages.memoryWithoutCounterPage(vm);

    MigrationOutcome outcome = hosts.migrate(hosts.request("vm", MigrationStrategy.POST_COPY,
        LoopbackAgents.limits().setAllowPostCopy(true).setStreams(1).build()));

    assertThat(broken).isTrue();
    assertThat(outcome.committed()).as(outcome.reason()).isTrue();
    VirtualMachine moved = hosts.dst.vm("vm");
    assertThat(((io.ferry.hostagent.hypervisor.PageAccess) moved.migrationSupport()).memory().missingPageCount())
        .isZero();
    moved.pause();
    assertThat(hosts.overlap()).isEmpty();
    assertThat(before).isNotEmpty();
  }

  /** A pre-copy capped at 2 MiB/s, once it is transferring. */
  private MigrateVmRequest startSlowMigration() throws InterruptedException {
    MigrateVmRequest request = hosts.request("vm", MigrationStrategy.PRE_COPY,
        LoopbackAgents.limits().setBandwidthBytesPerSecond(2 << 20).build());
    hosts.src.engine.start(request);
    awaitPhase(request, MigrationPhase.TRANSFERRING);
    return request;
  }

  private MigrationOutcome outcomeOf(MigrateVmRequest request) throws Exception {
    return hosts.src.engine.outcome(request.getMigrationId()).orElseThrow().get(60, TimeUnit.SECONDS);
  }

  private void awaitPhase(MigrateVmRequest request, MigrationPhase phase) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (hosts.src.engine.status(request.getMigrationId()).orElseThrow().getPhase() != phase) {
      assertThat(System.nanoTime()).as("reached " + phase).isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  private void awaitPresent(String vm) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!hosts.dst.has(vm)) {
      assertThat(System.nanoTime()).as("incoming " + vm + " prepared").isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static ByteString flipFirstByte(ByteString payload) {
    byte[] b = payload.toByteArray();
    b[0] ^= 0x55;
    return ByteString.copyFrom(b);
  }
}
