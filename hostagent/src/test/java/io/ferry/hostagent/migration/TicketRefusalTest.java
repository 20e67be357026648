package io.ferry.hostagent.migration;

import io.ferry.hostagent.migration.kit.LoopbackAgents;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.common.grpc.GrpcServers;
import io.ferry.hostagent.hypervisor.VirtualMachine;
import io.ferry.v1.MigrateVmRequest;
import io.ferry.v1.MigrationPeerGrpc;
import io.ferry.v1.MigrationPhase;
import io.ferry.v1.MigrationStrategy;
import io.ferry.v1.PrepareRequest;
import io.ferry.v1.VmState;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The destination admits a migration only on a valid, fresh ticket signed by the leader. */
class TicketRefusalTest {
  @TempDir Path dir;
  LoopbackAgents hosts;
  VirtualMachine vm;

  @BeforeEach
  void setUp() {
    hosts = new LoopbackAgents(dir);
    vm = hosts.startOnSource(LoopbackAgents.spec("vm", 8, 0, "uniform"));
  }

  @AfterEach
  void tearDown() {
    hosts.close();
  }

  private MigrationOutcome migrateWithTicket(java.util.function.UnaryOperator<io.ferry.v1.MigrationTicket> change)
      throws Exception {
    MigrateVmRequest r = hosts.request("vm", MigrationStrategy.PRE_COPY, LoopbackAgents.limits().build());
    return hosts.migrate(r.toBuilder().setTicket(change.apply(r.getTicket())).build());
  }

  private void assertRefused(MigrationOutcome outcome, String code, String words) {
    assertThat(outcome.result()).isEqualTo(MigrationPhase.ROLLED_BACK);
    assertThat(outcome.reason()).contains(code).contains(words);
    assertThat(vm.state()).isEqualTo(VmState.VM_RUNNING);
    assertThat(hosts.dst.has("vm")).isFalse();
  }

  @Test
  void refusesUnsignedTicket() throws Exception {
    assertRefused(migrateWithTicket(t -> t.toBuilder().clearSignature().build()), "PERMISSION_DENIED", "unsigned");
  }

  @Test
  void refusesTamperedTicket() throws Exception {
    assertRefused(migrateWithTicket(t -> t.toBuilder().setEpoch(99).build()), "PERMISSION_DENIED",
        "bad signature");
  }

  @Test
  void refusesExpiredTicket() throws Exception {
    assertRefused(migrateWithTicket(t -> hosts.signer.issue(t.getMigrationId(), "vm", "src", "dst", 1,
        Duration.ofSeconds(-1))), "FAILED_PRECONDITION", "expired");
  }

  @Test
  void refusesTicketForAnotherDestination() throws Exception {
    assertRefused(migrateWithTicket(t -> hosts.signer.issue(t.getMigrationId(), "vm", "src", "elsewhere", 1,
        Duration.ofMinutes(1))), "PERMISSION_DENIED", "elsewhere");
  }

  @Test
  void refusesReplayedTicket() throws Exception {
    MigrateVmRequest r = hosts.request("vm", MigrationStrategy.PRE_COPY, LoopbackAgents.limits().build());
    assertThat(hosts.migrate(r).committed()).isTrue();
    hosts.dst.vm("vm").destroy();

    ManagedChannel ch = GrpcServers.channel(hosts.dst.endpoint, hosts.src.tls);
    try {
      assertThatThrownBy(() -> MigrationPeerGrpc.newBlockingStub(ch).prepare(PrepareRequest.newBuilder()
          .setTicket(r.getTicket()).setSpec(LoopbackAgents.spec("vm", 8, 0, "uniform")).build()))
          .isInstanceOf(StatusRuntimeException.class)
          .hasMessageContaining("ALREADY_EXISTS").hasMessageContaining("already used");
    } finally {
      GrpcServers.shutdown(ch);
    }
    assertThat(hosts.dst.has("vm")).isFalse();
  }
}
