package io.ferry.hostagent.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.hostagent.hypervisor.DirtyBitmap;
import io.ferry.hostagent.hypervisor.PageAccess;
import io.ferry.hostagent.hypervisor.VirtualMachine;
import io.ferry.hostagent.hypervisor.VmEvent;
import io.ferry.hostagent.hypervisor.VmEventLog;
import io.ferry.v1.DiskSpec;
import io.ferry.v1.SimWorkload;
import io.ferry.v1.VmSpec;
import io.ferry.v1.VmState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimHypervisorTest {
  @TempDir Path dir;
  VmEventLog events = VmEventLog.inMemory();
  SimHypervisor hv;

  @BeforeEach
  void setUp() {
    hv = SimHypervisor.create("h1", dir, events);
  }

  @AfterEach
  void tearDown() {
    hv.close();
  }

  static VmSpec spec(String name, double dirtyBytesPerSecond) {
    return VmSpec.newBuilder().setName(name).setVcpus(2).setMemoryBytes(8 << 20)
        .addDisks(DiskSpec.newBuilder().setSizeBytes(1 << 20))
        .setSim(SimWorkload.newBuilder().setDirtyRateBytesPerSecond(dirtyBytesPerSecond).setPattern("hot")
            .setHotSetRatio(0.5).setCpuDemandCores(1.5).setDiskWriteBytesPerSecond(1 << 20)
            .setMemoryTouchedBytes(4 << 20))
        .build();
  }

  @Test
  void pausedGuestStopsCountingAndResumesWhereItStopped() throws Exception {
    VirtualMachine vm = hv.define(spec("vm", 1 << 20));
    vm.start();
    awaitCounter(vm, 20);

    vm.pause();
    long paused = vm.progressCounter();
    Thread.sleep(50);
    assertThat(vm.progressCounter()).isEqualTo(paused);
    assertThat(vm.usage().getCpuUsageCores()).isZero();

    vm.resume();
    awaitCounter(vm, paused + 20);
    assertThat(events.events()).extracting(VmEvent::kind)
        .containsExactly(VmEvent.Kind.RUNNING, VmEvent.Kind.STOPPED, VmEvent.Kind.RUNNING);
  }

  @Test
  void guestWritesShowInDirtyLogsOfMemoryAndDisk() throws Exception {
    VirtualMachine vm = hv.define(spec("vm", 4 << 20));
    PageAccess access = (PageAccess) vm.migrationSupport();
    access.memory().dirtyLog().snapshotAndClear();
    vm.start();
    awaitCounter(vm, 200);
    vm.pause();

    DirtyBitmap pages = access.memory().dirtyLog().snapshotAndClear();
    assertThat(pages.cardinality()).isPositive();
    assertThat(pages.nextSetBit(1)).isLessThan(access.memory().pageCount() / 2 + 1);
    assertThat(access.memory().dirtyLog().snapshotAndClear().cardinality()).isZero();
    assertThat(access.disks().get(0).dirtyLog().dirtyCount()).isPositive();
  }

  @Test
  void reportsDemandWhileRunning() {
    VirtualMachine vm = hv.define(spec("vm", 0));
    vm.start();
    vm.throttle(0.5);

    assertThat(hv.list()).singleElement().satisfies(u -> {
      assertThat(u.getState()).isEqualTo(VmState.VM_RUNNING);
      assertThat(u.getCpuUsageCores()).isEqualTo(0.75);
      assertThat(u.getMemoryUsedBytes()).isEqualTo(4 << 20);
      assertThat(u.getDiskBytes()).isEqualTo(1 << 20);
    });
  }

  @Test
  void removesIncomingLeftoversAfterACrash() {
    hv.defineIncoming(spec("half", 0));
    // the process "crashes": its VMs vanish, the incoming VM's files stay
    SimHypervisor restarted = SimHypervisor.create("h1", dir, events);

    assertThat(restarted.discardIncomingLeftovers()).containsExactly("half");
    assertThat(Files.exists(dir.resolve("vms").resolve("half"))).isFalse();
  }

  @Test
  void destroyRemovesDisksAndRecordsStop() {
    VirtualMachine vm = hv.define(spec("gone", 0));
    vm.start();
    vm.destroy();

    assertThat(hv.find("gone")).isEmpty();
    assertThat(Files.exists(dir.resolve("vms").resolve("gone"))).isFalse();
    assertThat(VmEventLog.findOverlap(events.events())).isEmpty();
    assertThat(events.events()).extracting(VmEvent::kind).endsWith(VmEvent.Kind.STOPPED);
  }

  @Test
  void destroyFreesMemoryAndLaterAccessFailsCleanly() throws Exception {
    VirtualMachine vm = hv.define(spec("freed", 0));
    vm.start();
    awaitCounter(vm, 5);
    var memory = ((PageAccess) vm.migrationSupport()).memory();

    vm.destroy();

    assertThat(vm.progressCounter()).isGreaterThanOrEqualTo(5);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> memory.readPage(1, java.nio.ByteBuffer.allocate(4096)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("destroyed");
  }

  @Test
  void eventLogFindsAVmRunningOnTwoHosts() {
    java.time.Instant t = java.time.Instant.parse("2026-01-01T00:00:00Z");
    List<VmEvent> log = List.of(new VmEvent(t, "a", "vm", VmEvent.Kind.RUNNING),
        new VmEvent(t.plusMillis(1), "b", "vm", VmEvent.Kind.RUNNING));
    assertThat(VmEventLog.findOverlap(log)).contains("started on b");
  }

  static void awaitCounter(VirtualMachine vm, long atLeast) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (vm.progressCounter() < atLeast) {
      assertThat(System.nanoTime()).as("guest progress").isLessThan(deadline);
      Thread.sleep(2);
    }
  }
}
