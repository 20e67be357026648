package io.ferry.hostagent.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ferry.hostagent.hypervisor.VmEvent;
import io.ferry.hostagent.hypervisor.VmEventLog;
import io.ferry.hostagent.qemu.spec.VmSpecFiles;
import io.ferry.hostagent.sim.SimHypervisor;
import io.ferry.v1.DiskSpec;
import io.ferry.v1.MigrationPhase;
import io.ferry.v1.MigrationStatus;
import io.ferry.v1.StartVmResponse;
import io.ferry.v1.VmSpec;
import io.ferry.v1.VmState;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's StartVm/StopVm on the sim driver, with the same spec files the qemu driver reads. */
class VmLifecycleTest {
  @TempDir
  Path dir;
  private final VmEventLog events = VmEventLog.inMemory();
  private final List<MigrationStatus> migrations = new ArrayList<>();
  private final AtomicInteger reports = new AtomicInteger();
  private SimHypervisor hv;
  private VmLifecycle vms;

  @BeforeEach
  void setUp() {
    hv = SimHypervisor.create("h1", dir.resolve("state"), events);
    vms = new VmLifecycle("h1", hv, () -> List.copyOf(migrations), reports::incrementAndGet);
  }

  @AfterEach
  void tearDown() {
    hv.close();
  }

  /** The example of docs/vm-spec.md (qemu-only fields included), its boot image next to it. */
  private VmSpec docExample(String name, int memoryMiB) throws Exception {
    Files.write(dir.resolve("test-guest.img"), new byte[512]);
    return VmSpecFiles.parse("""
        name: %s
        vcpus: 1
        memoryMiB: %d
        cpuModel: qemu64
        machine: pc
        accelerator: tcg
        disks:
          - path: test-guest.img
            format: raw
        networks:
          - type: none
        labels:
          team: web
        options:
          serialLog: web-1.serial
        """.formatted(name, memoryMiB), "web-1.yaml", dir);
  }

  private static StatusRuntimeException refusal(ThrowingCallable call) {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, call);
    assertThat(e).as("refused").isNotNull();
    return e;
  }

  @Test
  void simRunsTheQemuSpecExampleAndReportsAtOnce() throws Exception {
    StartVmResponse r = vms.start(docExample("web-1", 16));

    assertThat(r.getAlreadyRunning()).isFalse();
    assertThat(r.getVm().getState()).isEqualTo(VmState.VM_RUNNING);
    assertThat(r.getVm().getMemoryBytes()).isEqualTo(16L << 20);
    assertThat(r.getVm().getLabelsMap()).containsEntry("team", "web");
    // The sim disk takes the boot image's size, rounded up to a 4 KiB block; its content is not read.
    assertThat(hv.find("web-1").orElseThrow().spec().getDisks(0).getSizeBytes()).isEqualTo(4096);
    assertThat(hv.list()).extracting(v -> v.getName()).containsExactly("web-1");
    assertThat(reports.get()).isEqualTo(1);
    assertThat(events.events()).extracting(VmEvent::vm, VmEvent::kind)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("web-1", VmEvent.Kind.RUNNING));
  }

  @Test
  void aSimVmStartedFromASpecRunsTheWorkloadItsSimSectionGives() throws Exception {
    Files.write(dir.resolve("test-guest.img"), new byte[512]);
    vms.start(VmSpecFiles.parse("""
        name: busy-1
        memoryMiB: 16
        disks: [{path: test-guest.img}]
        sim: {cpuCores: 0.5, dirtyMiBps: 2, memoryTouchedMiB: 8}
        """, "busy-1.yaml", dir));

    long deadline = System.nanoTime() + 10_000_000_000L;
    io.ferry.v1.VmUsage u = hv.list().get(0);
    while ((u.getCpuUsageCores() == 0 || u.getDirtyRateBytesPerSecond() == 0) && System.nanoTime() < deadline) {
      Thread.sleep(100);
      u = hv.list().get(0);
    }
    assertThat(u.getCpuUsageCores()).as("CPU demand the host signals see").isGreaterThan(0);
    assertThat(u.getDirtyRateBytesPerSecond()).as("memory its vCPUs write").isGreaterThan(0);
    assertThat(u.getMemoryUsedBytes()).as("touched memory").isGreaterThanOrEqualTo(8L << 20);
  }

  @Test
  void sameSpecAgainIsAnsweredWithTheRunningVm() throws Exception {
    vms.start(docExample("web-1", 16));
    StartVmResponse again = vms.start(docExample("web-1", 16));

    assertThat(again.getAlreadyRunning()).isTrue();
    assertThat(again.getVm().getState()).isEqualTo(VmState.VM_RUNNING);
    assertThat(events.events()).hasSize(1);
  }

  @Test
  void anotherSpecUnderTheSameNameIsRefusedNamingTheFields() throws Exception {
    vms.start(docExample("web-1", 16));
    VmSpec bigger = docExample("web-1", 32);
    StatusRuntimeException e = refusal(() -> vms.start(bigger));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
    assertThat(e.getStatus().getDescription()).isEqualTo("VM web-1 already exists on h1 with another spec"
        + " (differs in memory_bytes): stop it first or choose another name");
    assertThat(hv.find("web-1").orElseThrow().spec().getMemoryBytes()).isEqualTo(16L << 20);
  }

  @Test
  void diskTheSimDriverCannotSizeIsRefusedNamingTheDiskAndLeavesNothing() {
    VmSpec spec = VmSpec.newBuilder().setName("db-1").setVcpus(1).setMemoryBytes(16L << 20)
        .addDisks(DiskSpec.newBuilder().setSizeBytes(1 << 20))
        .addDisks(DiskSpec.newBuilder().setPath("/nonexistent/data.qcow2").setFormat("qcow2")).build();

    StatusRuntimeException e = refusal(() -> vms.start(spec));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).startsWith("VM db-1 cannot run on h1 (sim driver): disks[1]"
        + " (/nonexistent/data.qcow2): the sim driver sizes its disk from sizeBytes");
    assertThat(hv.list()).isEmpty();
    assertThat(dir.resolve("state/vms/db-1")).doesNotExist();
    assertThat(reports.get()).isZero();
  }

  @Test
  void stopDestroysTheVmAndARepeatedRequestIsAnsweredAgain() throws Exception {
    vms.start(docExample("web-1", 16));

    assertThat(vms.stop("req-1", "web-1", false).getState()).isEqualTo(VmState.VM_STOPPED);
    assertThat(hv.find("web-1")).isEmpty();
    assertThat(events.events()).extracting(VmEvent::kind)
        .containsExactly(VmEvent.Kind.RUNNING, VmEvent.Kind.STOPPED);
    assertThat(reports.get()).isEqualTo(2);

    assertThat(vms.stop("req-1", "web-1", false).getState()).isEqualTo(VmState.VM_STOPPED);
    StatusRuntimeException e = refusal(() -> vms.stop("req-2", "web-1", true));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(e.getStatus().getDescription()).isEqualTo("VM web-1 is not on host h1");
  }

  @Test
  void migratingVmIsNotStoppedHere() throws Exception {
    vms.start(docExample("web-1", 16));
    migrations.add(MigrationStatus.newBuilder().setMigrationId("m-1").setVm("web-1").setSourceHost("h1")
        .setDestinationHost("h2").setPhase(MigrationPhase.TRANSFERRING).build());

    StatusRuntimeException e = refusal(() -> vms.stop("", "web-1", true));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(e.getStatus().getDescription()).isEqualTo("cannot stop VM web-1: it is migrating (m-1, h1 -> h2,"
        + " TRANSFERRING): cancel the migration first");
    assertThat(hv.find("web-1").orElseThrow().state()).isEqualTo(VmState.VM_RUNNING);

    migrations.set(0, migrations.get(0).toBuilder().setPhase(MigrationPhase.ROLLED_BACK).build());
    assertThat(vms.stop("", "web-1", true).getState()).isEqualTo(VmState.VM_STOPPED);
  }
}
