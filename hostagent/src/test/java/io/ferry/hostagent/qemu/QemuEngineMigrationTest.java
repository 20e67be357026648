package io.ferry.hostagent.qemu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.hostagent.hypervisor.VirtualMachine;
import io.ferry.hostagent.migration.MigrationOutcome;
import io.ferry.hostagent.migration.MigrationSettings;
import io.ferry.hostagent.migration.kit.LoopbackAgents;
import io.ferry.hostagent.qemu.compat.CpuProbe;
import io.ferry.hostagent.qemu.compat.HostCpu;
import io.ferry.hostagent.qemu.guest.MemoryConsistency;
import io.ferry.hostagent.qemu.launch.QemuSettings;
import io.ferry.hostagent.qemu.launch.QemuVm;
import io.ferry.hostagent.qemu.migrate.MigrationTls;
import io.ferry.v1.MigrateVmRequest;
import io.ferry.v1.MigrationLimits;
import io.ferry.v1.MigrationPhase;
import io.ferry.v1.MigrationStrategy;
import io.ferry.v1.VmSpec;
import io.ferry.v1.VmState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The migration engine driving real QEMU through the {@code qemu} driver: two agents (engine + gRPC server + QEMU
 * driver each) on loopback, mTLS between the agents and TLS on the QEMU stream, the test guest of
 * {@link io.ferry.hostagent.qemu.guest.TestGuest}. Each test checks what an operator would: where the VM runs,
 * that the guest keeps counting, that memory is consistent, that the source QEMU is gone, and that the VM never ran
 * on both hosts at once (the agents' event logs, from QEMU's own STOP/RESUME timestamps).
 */
class QemuEngineMigrationTest {
  static final long SLOW_GUEST = 300_000_000L;
  static final long MiB = 1 << 20;

  @TempDir Path tmp;
  QemuTestKit kit;
  LoopbackAgents agents;

  static LoopbackAgents.Driver qemu(HostCpu cpu) {
    return (host, stateDir, events, certs) -> new QemuHypervisor(host, new QemuHypervisor.Config(
        QemuSettings.defaults(stateDir.resolve("vms")), stateDir.resolve("disks"),
        MigrationTls.writeQemuDirectory(certs, stateDir.resolve("qemu-tls")), "127.0.0.1", cpu), events,
        Clock.systemUTC());
  }

  void start(LoopbackAgents.Driver driver, long guestDelayLoops) {
    kit = new QemuTestKit(tmp, guestDelayLoops);
    agents = new LoopbackAgents(tmp.resolve("agents"), driver, MigrationSettings.defaults(),
        MigrationSettings.defaults());
  }

  /** Two agents with this machine's CPU; {@code guestDelayLoops} 0 = a guest dirtying memory as fast as it can. */
  void start(long guestDelayLoops) {
    start(qemu(CpuProbe.fromCpuinfo(Path.of("/proc/cpuinfo"), "test")), guestDelayLoops);
  }

  @AfterEach
  void killEveryQemu() throws Exception {
    if (agents != null) {
      agents.close();
    }
    if (kit != null) {
      kit.close();
    }
    // the driver leaves QEMU running when an agent closes (the next agent adopts it): kill what this test started
    new ProcessBuilder("pkill", "-9", "-f", tmp.toString()).start().waitFor(10, TimeUnit.SECONDS);
  }

  VirtualMachine runOnSource(VmSpec spec) {
    VirtualMachine vm = agents.src.hypervisor.define(spec);
    vm.start();
    QemuTestKit.awaitMarkers(serialLog(vm), 0, 2, Duration.ofSeconds(30));
    return vm;
  }

  static Path serialLog(VirtualMachine vm) {
    return ((QemuMachine) vm).process().serialLog();
  }

  static QemuVm process(VirtualMachine vm) {
    return ((QemuMachine) vm).process();
  }

  static MigrationLimits.Builder limits() {
    return MigrationLimits.newBuilder().setMaxDowntime(com.google.protobuf.Duration.newBuilder().setNanos(300_000_000))
        .setBandwidthBytesPerSecond(512 * MiB).setTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(60));
  }

  /** The migration committed: the VM runs on the destination only, the guest counts on, memory is consistent. */
  void assertMovedAndAlive(VirtualMachine source, MigrationOutcome outcome) throws Exception {
    assertEquals(MigrationPhase.COMMITTED, outcome.result(), outcome.toString());
    QemuVm sourceProcess = process(source);
    assertTrue(sourceProcess.awaitExit(Duration.ofSeconds(10)), "the source QEMU is gone");
    assertFalse(agents.src.has("vm1"), "the source no longer lists the VM");
    VirtualMachine moved = agents.dst.vm("vm1");
    assertEquals(VmState.VM_RUNNING, moved.state());
    long before = QemuTestKit.countMarkers(serialLog(moved));
    QemuTestKit.awaitMarkers(serialLog(moved), before, 2, Duration.ofSeconds(30));
    MemoryConsistency.Report report = destinationMemory(moved);
    assertTrue(report.consistent(), report.toString());
    assertEquals("", agents.overlap(), "the VM never ran on both hosts at once");
    assertTrue(outcome.stats().hasDowntime(), "guest-visible downtime from QEMU's STOP and RESUME: " + outcome);
    assertTrue(outcome.stats().hasReportedDowntime(), "QEMU's own downtime figure: " + outcome);
    assertTrue(outcome.stats().getBytesRam() > 0, outcome.toString());
  }

  MemoryConsistency.Report destinationMemory(VirtualMachine vm) {
    QemuVm p = process(vm);
    Path dump = tmp.resolve("dump-" + System.nanoTime() + ".bin");
    long start = kit.guest().startBytes();
    Duration t = Duration.ofSeconds(10);
    p.qmp().execute("stop", t);
    p.qmp().execute("pmemsave", Map.of("val", start, "size", kit.guest().endBytes() - start,
        "filename", dump.toString()), t);
    p.qmp().execute("cont", t);
    return MemoryConsistency.check(dump, start);
  }

  MigrationOutcome migrate(MigrationStrategy strategy, MigrationLimits limits) throws Exception {
    MigrateVmRequest r = agents.request("vm1", strategy, limits);
    return agents.migrate(agents.src, r, Duration.ofSeconds(120));
  }

  @Test
  void preCopyMovesTheGuestOverTls() throws Exception {
    start(SLOW_GUEST);
    VirtualMachine vm = runOnSource(kit.spec("vm1", "a"));

    MigrationOutcome o = migrate(MigrationStrategy.PRE_COPY, limits().build());

    assertMovedAndAlive(vm, o);
    VirtualMachine arrived = agents.dst.vm("vm1");
    assertEquals("ferry-migration-tls", process(arrived).qmp()
        .execute("query-migrate-parameters", Duration.ofSeconds(5)).path("tls-creds").asText(),
        "the destination received the stream over TLS with the cluster's certificates");

    MigrationOutcome back = agents.migrate(agents.dst, agents.request(agents.dst, agents.src, "vm1",
        MigrationStrategy.PRE_COPY, limits().build()), Duration.ofSeconds(120));

    assertEquals(MigrationPhase.COMMITTED, back.result(), "a VM that arrived by migration migrates on: " + back);
    assertTrue(process(arrived).awaitExit(Duration.ofSeconds(10)));
    assertEquals(VmState.VM_RUNNING, agents.src.vm("vm1").state());
    assertEquals("", agents.overlap());
  }

  @Test
  void postCopyMovesTheGuest() throws Exception {
    start(SLOW_GUEST);
    VirtualMachine vm = runOnSource(kit.spec("vm1", "a"));

    MigrationOutcome o = migrate(MigrationStrategy.POST_COPY, limits().setAllowPostCopy(true).build());

    assertMovedAndAlive(vm, o);
    assertTrue(o.stats().getPostCopyFaults() >= 0);
  }

  @Test
  void autoMovesAGuestThatDirtiesFasterThanTheLink() throws Exception {
    start(0);
    VirtualMachine vm = runOnSource(kit.spec("vm1", "a"));

    MigrationOutcome o = migrate(MigrationStrategy.AUTO, limits().setAllowPostCopy(true)
        .setBandwidthBytesPerSecond(8 * MiB).build());

    assertMovedAndAlive(vm, o);
  }

  @Test
  void storageMigrationCopiesTheDiskToTheDestination() throws Exception {
    start(SLOW_GUEST);
    VmSpec spec = kit.spec("vm1", "a");
    VirtualMachine vm = runOnSource(spec);

    MigrationOutcome o = migrate(MigrationStrategy.PRE_COPY, limits().setWithStorage(true).build());

    assertMovedAndAlive(vm, o);
    Path copy = Path.of(agents.dst.vm("vm1").spec().getDisks(0).getPath());
    assertTrue(copy.startsWith(tmp.resolve("agents/state-dst/disks")), "destination disk is its own: " + copy);
    assertArrayEquals(Arrays.copyOf(Files.readAllBytes(Path.of(spec.getDisks(0).getPath())), 512),
        Arrays.copyOf(Files.readAllBytes(copy), 512), "the boot sector reached the destination disk");
    assertTrue(o.stats().getBytesDisk() > 0, o.toString());

    MigrationOutcome back = agents.migrate(agents.dst, agents.request(agents.dst, agents.src, "vm1",
        MigrationStrategy.PRE_COPY, limits().setWithStorage(true).build()), Duration.ofSeconds(120));
    assertEquals(MigrationPhase.COMMITTED, back.result(), back.toString());
    assertFalse(Files.exists(tmp.resolve("agents/state-dst/disks/vm1")),
        "the disk the destination created is removed once the VM left it with its disks");
    assertTrue(Files.exists(Path.of(spec.getDisks(0).getPath())), "the operator's own disk image is never removed");
  }

  @Test
  void cancelDuringTheTransferLeavesTheVmOnTheSource() throws Exception {
    start(0);
    VirtualMachine vm = runOnSource(kit.spec("vm1", "a"));
    MigrateVmRequest r = startSlowMigrationAndAwaitTheTransfer();

    agents.src.engine.cancel(r.getMigrationId(), "operator changed their mind");
    MigrationOutcome o = agents.src.engine.outcome(r.getMigrationId()).orElseThrow().get(60, TimeUnit.SECONDS);

    assertSourceKeepsTheVm(vm, o);
  }

  @Test
  void cancelRightAfterPrepareLeavesTheVmOnTheSource() throws Exception {
    start(SLOW_GUEST);
    VirtualMachine vm = runOnSource(kit.spec("vm1", "a"));
    MigrateVmRequest r = agents.request("vm1", MigrationStrategy.PRE_COPY, limits().build());
    agents.src.engine.start(r);
    agents.src.engine.cancel(r.getMigrationId(), "at once");
    MigrationOutcome o = agents.src.engine.outcome(r.getMigrationId()).orElseThrow().get(60, TimeUnit.SECONDS);

    assertSourceKeepsTheVm(vm, o);
  }

  @Test
  void killingTheDestinationQemuMidTransferLeavesTheVmOnTheSource() throws Exception {
    start(0);
    VirtualMachine vm = runOnSource(kit.spec("vm1", "a"));
    MigrateVmRequest r = startSlowMigrationAndAwaitTheTransfer();

    QemuVm incoming = process(agents.dst.hypervisor.find("vm1").orElseThrow());
    ProcessHandle.of(incoming.pid()).orElseThrow().destroyForcibly();
    MigrationOutcome o = agents.src.engine.outcome(r.getMigrationId()).orElseThrow().get(60, TimeUnit.SECONDS);

    assertSourceKeepsTheVm(vm, o);
  }

  @Test
  void aDestinationLackingACpuFeatureIsRefusedByName() throws Exception {
    HostCpu real = CpuProbe.fromCpuinfo(Path.of("/proc/cpuinfo"), "test");
    HostCpu old = new HostCpu("old", Set.of("fpu", "sse2"), "test");
    LoopbackAgents.Driver real1 = qemu(real);
    LoopbackAgents.Driver old1 = qemu(old);
    start((host, dir, events, certs) -> ("dst".equals(host) ? old1 : real1).create(host, dir, events, certs),
        SLOW_GUEST);
    VmSpec spec = kit.spec("vm1", "a").toBuilder().addCpuFeatures("sse2").addCpuFeatures("avx512f").build();
    VirtualMachine vm = runOnSource(spec);

    MigrationOutcome o = migrate(MigrationStrategy.PRE_COPY, limits().build());

    assertEquals(MigrationPhase.ROLLED_BACK, o.result(), o.toString());
    assertTrue(o.reason().contains("avx512f"), "the refusal names the missing feature: " + o.reason());
    assertFalse(o.reason().contains("sse2"), "and only the missing one: " + o.reason());
    assertEquals(VmState.VM_RUNNING, vm.state());
  }

  @Test
  void aRestartedDriverAdoptsTheRunningVmWithoutRestartingIt() throws Exception {
    start(SLOW_GUEST);
    VirtualMachine vm = runOnSource(kit.spec("vm1", "a"));
    long pid = process(vm).pid();
    Path stateDir = tmp.resolve("agents/state-src");
    agents.src.hypervisor.close(); // the agent goes away; QEMU stays

    QemuHypervisor again = (QemuHypervisor) qemu(null).create("src", stateDir, agents.src.events,
        tmp.resolve("agents/certs-src"));
    try {
      VirtualMachine adopted = again.find("vm1").orElseThrow();
      assertEquals(pid, process(adopted).pid(), "the same QEMU process");
      assertEquals(VmState.VM_RUNNING, adopted.state());
      assertEquals(1, again.list().size());
      assertEquals("tcg", again.list().get(0).getAccelerator(), "the VM reports what runs it");
      long before = QemuTestKit.countMarkers(serialLog(adopted));
      QemuTestKit.awaitMarkers(serialLog(adopted), before, 2, Duration.ofSeconds(20));
    } finally {
      again.close();
    }
  }

  void assertSourceKeepsTheVm(VirtualMachine vm, MigrationOutcome o) throws Exception {
    assertEquals(MigrationPhase.ROLLED_BACK, o.result(), o.toString());
    assertEquals(VmState.VM_RUNNING, vm.state(), "the VM runs on the source");
    long before = QemuTestKit.countMarkers(serialLog(vm));
    QemuTestKit.awaitMarkers(serialLog(vm), before, 2, Duration.ofSeconds(30));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (agents.dst.has("vm1") && System.nanoTime() < deadline) {
      QemuTestKit.pause(50);
    }
    assertFalse(agents.dst.has("vm1"), "the destination removed its copy");
    Path runDirs = tmp.resolve("agents/state-dst/vms");
    if (Files.isDirectory(runDirs)) {
      try (var dirs = Files.list(runDirs)) {
        assertEquals(0, dirs.count(), "no QEMU run directory left on the destination");
      }
    }
    assertEquals("", agents.overlap());
  }

  /** A pre-copy at 4 MiB/s of a guest dirtying memory at full speed: its transfer lasts; returns once it runs. */
  MigrateVmRequest startSlowMigrationAndAwaitTheTransfer() {
    MigrateVmRequest r = agents.request("vm1", MigrationStrategy.PRE_COPY,
        limits().setBandwidthBytesPerSecond(4 * MiB).build());
    agents.src.engine.start(r);
    awaitPhase(r.getMigrationId(), MigrationPhase.TRANSFERRING);
    QemuTestKit.pause(500);
    return r;
  }

  void awaitPhase(String id, MigrationPhase phase) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (agents.src.engine.status(id).orElseThrow().getPhase() == phase) {
        return;
      }
      QemuTestKit.pause(20);
    }
    throw new AssertionError("migration " + id + " never reached " + phase + ": " + agents.src.engine.status(id));
  }
}
