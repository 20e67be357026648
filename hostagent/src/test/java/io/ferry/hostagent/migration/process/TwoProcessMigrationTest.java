package io.ferry.hostagent.migration.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.hostagent.hypervisor.VirtualMachine;
import io.ferry.hostagent.hypervisor.VmEvent;
import io.ferry.hostagent.hypervisor.VmEventLog;
import io.ferry.hostagent.migration.MemoryImages;
import io.ferry.hostagent.migration.MigrationOutcome;
import io.ferry.hostagent.migration.kit.LoopbackAgents;
import io.ferry.v1.MigrateVmRequest;
import io.ferry.v1.MigrationLimits;
import io.ferry.v1.MigrationPhase;
import io.ferry.v1.MigrationStrategy;
import io.ferry.v1.VmSpec;
import io.ferry.v1.VmState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Migrations between this JVM and an agent in another JVM, including killing that JVM. */
class TwoProcessMigrationTest {
  @TempDir Path dir;
  LoopbackAgents agents;
  Path ticketKey;
  Path childEvents;
  final List<ChildAgent> children = new ArrayList<>();

  @BeforeEach
  void setUp() {
    agents = new LoopbackAgents(dir);
    ticketKey = agents.writeTicketKeys(dir.resolve("keys"));
    childEvents = dir.resolve("child-events");
  }

  @AfterEach
  void tearDown() throws Exception {
    for (ChildAgent c : children) {
      c.close();
    }
    agents.close();
  }

  private ChildAgent child(String name, String certs, String workDir, long idleMillis) throws Exception {
    ChildAgent c = ChildAgent.start(name, agents.certificates(certs), dir.resolve(workDir), ticketKey, childEvents,
        idleMillis);
    children.add(c);
    return c;
  }

  private MigrationOutcome migrateTo(ChildAgent far, String vm, MigrationStrategy s, MigrationLimits limits)
      throws Exception {
    MigrateVmRequest r = agents.request("src", far.name, far.endpoint, vm, s, limits);
    return agents.migrate(agents.src, r, Duration.ofSeconds(90));
  }

  private void assertMovedIntact(ChildAgent far, String vm, String digestAtStart, MigrationOutcome o)
      throws Exception {
    assertThat(o.committed()).as(o.reason()).isTrue();
    assertThat(agents.src.has(vm)).isFalse();
    await(() -> far.vm(vm).map(l -> l.state().equals(VmState.VM_RUNNING.name())).orElse(false), "running there");
    long first = far.vm(vm).orElseThrow().counter();
    await(() -> far.vm(vm).orElseThrow().counter() > first + 10, "guest progressing there");
    if (digestAtStart != null) {
      assertThat(far.vm(vm).orElseThrow().digest()).isEqualTo(digestAtStart);
    }
    List<VmEvent> all = new ArrayList<>(agents.src.events.events());
    all.addAll(VmEventLog.read(childEvents));
    assertThat(VmEventLog.findOverlap(all)).isEmpty();
  }

  @Test
  void preCopyToAnotherProcessKeepsMemoryAndProgress() throws Exception {
    ChildAgent far = child("far", "dst", "far", 10_000);
    VirtualMachine vm = agents.startOnSource(LoopbackAgents.spec("vm", 16, 0, "uniform"));
    String digest = MemoryImages.memoryWithoutCounterPage(vm);

    MigrationOutcome o = migrateTo(far, "vm", MigrationStrategy.PRE_COPY, LoopbackAgents.limits().build());

    assertMovedIntact(far, "vm", digest, o);
  }

  @Test
  void vmWithMoreMemoryThanTheAgentsJavaHeapMovesIntact() throws Exception {
    // the agent process runs with -Xmx256m, as deploy/systemd/env/agent.env ships it: guest RAM is the host's
    // memory, not the JVM's, so a 512 MiB VM whose memory is all touched must fit there
    ChildAgent far = child("far", "dst", "far", 10_000);
    VmSpec big = LoopbackAgents.spec("big", 512, 0, "uniform");
    VirtualMachine vm = agents.startOnSource(big.toBuilder()
        .setSim(big.getSim().toBuilder().setMemoryTouchedBytes(512L << 20)).build());
    String digest = MemoryImages.memoryWithoutCounterPage(vm);

    MigrationOutcome o = migrateTo(far, "big", MigrationStrategy.PRE_COPY, LoopbackAgents.limits().build());

    assertMovedIntact(far, "big", digest, o);
  }

  @Test
  void postCopyToAnotherProcessKeepsMemoryAndProgress() throws Exception {
    ChildAgent far = child("far", "dst", "far", 10_000);
    VirtualMachine vm = agents.startOnSource(LoopbackAgents.spec("vm", 16, 0, "uniform"));
    String digest = MemoryImages.memoryWithoutCounterPage(vm);

    MigrationOutcome o = migrateTo(far, "vm", MigrationStrategy.POST_COPY,
        LoopbackAgents.limits().setAllowPostCopy(true).build());

    assertMovedIntact(far, "vm", digest, o);
  }

  @Test
  void autoWithStorageToAnotherProcessWhileGuestWrites() throws Exception {
    ChildAgent far = child("far", "dst", "far", 10_000);
    agents.startOnSource(LoopbackAgents.withDisk(LoopbackAgents.spec("vm", 16, 4, "hot"), 8, 1));

    MigrationOutcome o = migrateTo(far, "vm", MigrationStrategy.AUTO,
        LoopbackAgents.limits().setWithStorage(true).setAllowPostCopy(true).build());

    assertMovedIntact(far, "vm", null, o);
  }

  @Test
  void killedDestinationLeavesVmOnSourceAndIsCleanedOnRestart() throws Exception {
    ChildAgent far = child("far", "dst", "far", 10_000);
    VirtualMachine vm = agents.startOnSource(LoopbackAgents.withDisk(LoopbackAgents.spec("vm", 16, 1, "uniform"),
        8, 0));
    MigrateVmRequest r = agents.request("src", "far", far.endpoint, "vm", MigrationStrategy.PRE_COPY,
        LoopbackAgents.limits().setWithStorage(true).setBandwidthBytesPerSecond(2 << 20).build());
    agents.src.engine.start(r);
    await(() -> Files.exists(far.work.resolve("state/vms/vm/INCOMING")), "incoming VM prepared");

    far.kill();
    MigrationOutcome o = agents.src.engine.outcome(r.getMigrationId()).orElseThrow().get(60, TimeUnit.SECONDS);

    assertThat(o.result()).isEqualTo(MigrationPhase.ROLLED_BACK);
    assertThat(vm.state()).isEqualTo(VmState.VM_RUNNING);
    long c = vm.progressCounter();
    await(() -> vm.progressCounter() > c + 10, "guest progressing on the source");
    ChildAgent restarted = child("far", "dst", "far", 10_000);
    assertThat(restarted.cleaned()).isEqualTo("vm");
    assertThat(Files.exists(far.work.resolve("state/vms/vm"))).isFalse();
  }

  @Test
  void killedSourceBeforeSwitchoverMakesDestinationDiscardItsCopy() throws Exception {
    Path work = dir.resolve("near");
    Files.createDirectories(work);
    Files.write(work.resolve("vm.spec"), LoopbackAgents.spec("vm", 16, 1, "uniform").toByteArray());
    ChildAgent near = child("near", "src", "near", 10_000);
    MigrateVmRequest r = agents.request("near", "dst", agents.dst.endpoint, "vm", MigrationStrategy.PRE_COPY,
        LoopbackAgents.limits().setBandwidthBytesPerSecond(2 << 20).build());
    Files.write(work.resolve("migrate.req.tmp"), r.toByteArray());
    Files.move(work.resolve("migrate.req.tmp"), work.resolve("migrate.req"));
    await(() -> agents.dst.has("vm"), "incoming VM prepared on the destination");

    near.kill();

    await(() -> !agents.dst.has("vm"), "destination discarded its copy");
    assertThat(agents.dst.events.events()).noneMatch(e -> e.kind() == VmEvent.Kind.RUNNING);
  }

  private interface Check {
    boolean ok() throws Exception;
  }

  private static void await(Check check, String what) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!check.ok()) {
      assertThat(System.nanoTime()).as(what).isLessThan(deadline);
      Thread.sleep(20);
    }
  }
}
