package io.ferry.hostagent.migration;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.common.faults.Failpoints;
import io.ferry.common.tickets.TicketVerifier;
import io.ferry.hostagent.hypervisor.VirtualMachine;
import io.ferry.hostagent.hypervisor.VmEventLog;
import io.ferry.hostagent.migration.kit.LoopbackAgents;
import io.ferry.hostagent.sim.SimHypervisor;
import io.ferry.v1.MigrateVmRequest;
import io.ferry.v1.MigrationPhase;
import io.ferry.v1.MigrationStatus;
import io.ferry.v1.MigrationStrategy;
import io.ferry.v1.VmState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A switchover whose outcome the source does not know (the call failed, or the source agent restarted in it): the
 * paused copy waits for the destination's answer and exactly one copy of the VM is kept, the one that runs.
 */
class InDoubtSwitchoverTest {
  @TempDir Path dir;
  LoopbackAgents hosts;

  @AfterEach
  void tearDown() {
    if (hosts != null) {
      hosts.close();
    }
  }

  @Test
  void switchoverAnsweredTooLateKeepsTheVmOnTheDestinationThatRunsIt() throws Exception {
    Path failpoints = dir.resolve("failpoints");
    Files.writeString(failpoints, "migration.destination.switchover vm sleep 3000\n");
    MigrationSettings d = MigrationSettings.defaults();
    hosts = new LoopbackAgents(dir, d.withRpcTimeout(Duration.ofSeconds(1)),
        d.withFailpoints(Failpoints.fromFile(failpoints)));
    VirtualMachine vm = hosts.startOnSource(LoopbackAgents.spec("vm", 16, 1, "uniform"));
    Await.progress(vm, 10);

    MigrationOutcome outcome = hosts.migrate(hosts.request("vm", MigrationStrategy.PRE_COPY,
        LoopbackAgents.limits().build()));

    assertThat(outcome.result()).as(outcome.reason()).isEqualTo(MigrationPhase.COMMITTED);
    assertThat(outcome.reason()).contains("runs the VM");
    assertThat(hosts.src.has("vm")).isFalse();
    assertThat(hosts.dst.vm("vm").state()).isEqualTo(VmState.VM_RUNNING);
    assertThat(hosts.overlap()).isEmpty();
  }

  /** The source agent "restarted" with its VM paused for a switchover that the destination never saw. */
  @Test
  void restartedSourceResumesThePausedVmWhenTheDestinationDoesNotRunIt() throws Exception {
    hosts = new LoopbackAgents(dir);
    MigrateVmRequest request = hosts.request("vm", MigrationStrategy.PRE_COPY, LoopbackAgents.limits().build());
    try (Restarted source = pausedThenRestarted(request, false)) {
      MigrationStatus st = source.settled(request);

      assertThat(st.getPhase()).as(st.getMessage()).isEqualTo(MigrationPhase.ROLLED_BACK);
      VirtualMachine vm = source.hypervisor.find("vm").orElseThrow();
      assertThat(vm.state()).isEqualTo(VmState.VM_RUNNING);
      Await.progress(vm, vm.progressCounter() + 10);
      assertThat(hosts.dst.has("vm")).isFalse();
      assertThat(Files.list(source.records).toList()).isEmpty();
    }
  }

  @Test
  void restartedSourceDestroysThePausedCopyWhenTheDestinationRunsTheVm() throws Exception {
    hosts = new LoopbackAgents(dir);
    MigrateVmRequest request = hosts.request("vm", MigrationStrategy.PRE_COPY, LoopbackAgents.limits().build());
    try (Restarted source = pausedThenRestarted(request, true)) {
      MigrationStatus st = source.settled(request);

      assertThat(st.getPhase()).as(st.getMessage()).isEqualTo(MigrationPhase.COMMITTED);
      assertThat(source.hypervisor.find("vm")).isEmpty();
      assertThat(hosts.dst.vm("vm").state()).isEqualTo(VmState.VM_RUNNING);
      assertThat(Files.list(source.records).toList()).isEmpty();
    }
  }

  /** A source agent process after a restart: durable VMs adopted, in-doubt records settled by its engine. */
  private final class Restarted implements AutoCloseable {
    final SimHypervisor hypervisor;
    final MigrationEngine engine;
    final Path records;

    Restarted(Path state, Path records) {
      this.records = records;
      this.hypervisor = SimHypervisor.create("src", state, VmEventLog.inMemory()).durable();
      hypervisor.adopt();
      this.engine = new MigrationEngine("src", () -> "localhost:1", hypervisor, hosts.src.tls,
          new TicketVerifier(hosts.ticketKeys.getPublic(), "src", Clock.systemUTC()), new SimpleMeterRegistry(),
          Clock.systemUTC(), MigrationSettings.defaults(), records);
    }

    MigrationStatus settled(MigrateVmRequest r) throws Exception {
      engine.outcome(r.getMigrationId()).orElseThrow().get(30, TimeUnit.SECONDS);
      return engine.status(r.getMigrationId()).orElseThrow();
    }

    @Override
    public void close() {
      engine.close();
      hypervisor.close();
    }
  }

  /**
   * A durable source VM paused for the switchover of {@code request} with the record written, then the "process"
   * gone; with {@code destinationRunsIt} the destination got the switchover and runs the VM.
   */
  private Restarted pausedThenRestarted(MigrateVmRequest request, boolean destinationRunsIt) throws Exception {
    Path state = dir.resolve("durable-src");
    Path records = dir.resolve("durable-src-migrations");
    SimHypervisor before = SimHypervisor.create("src", state, VmEventLog.inMemory()).durable();
    VirtualMachine vm = before.define(LoopbackAgents.spec("vm", 16, 1, "uniform"));
    vm.start();
    Await.progress(vm, 10);
    new InDoubtMigrations("src", hosts.src.tls, Duration.ofSeconds(5), records).record(request);
    vm.pause();
    before.close();
    if (destinationRunsIt) {
      hosts.dst.hypervisor.define(LoopbackAgents.spec("vm", 16, 1, "uniform")).start();
    }
    return new Restarted(state, records);
  }
}
