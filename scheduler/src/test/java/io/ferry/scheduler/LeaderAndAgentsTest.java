package io.ferry.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.common.FerryException;
import io.ferry.common.grpc.GrpcServers;
import io.ferry.common.testing.Await;
import io.ferry.common.testing.TestCerts;
import io.ferry.common.tls.TlsMaterial;
import io.ferry.common.zk.EmbeddedZooKeeper;
import io.ferry.hostagent.agent.Agent;
import io.ferry.hostagent.agent.AgentConfig;
import io.ferry.v1.AdminGrpc;
import io.ferry.v1.ClusterStatus;
import io.ferry.v1.GetStatusRequest;
import io.ferry.v1.HostSummary;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** A real ZooKeeper, two scheduler replicas and two agents over mTLS, in one JVM. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LeaderAndAgentsTest {
  private static final Duration SESSION = Duration.ofSeconds(4);
  @TempDir
  static Path tmp;
  private EmbeddedZooKeeper zk;
  private TlsMaterial tls;
  private final List<Scheduler> schedulers = new ArrayList<>();
  private final List<Agent> agents = new ArrayList<>();

  @BeforeAll
  void startCluster() throws Exception {
    zk = EmbeddedZooKeeper.start("127.0.0.1", 0, tmp.resolve("zk"), 200);
    tls = TestCerts.create(Files.createDirectories(tmp.resolve("certs")), "test");
    for (String name : List.of("s1", "s2")) {
      schedulers.add(new Scheduler(new SchedulerConfig(name, zk.connectString(), "itest", "127.0.0.1", "127.0.0.1",
          0, 0, tls, null, SESSION), Clock.systemUTC()).start());
    }
    for (String name : List.of("h1", "h2")) {
      agents.add(new Agent(new AgentConfig(name, zk.connectString(), "itest", "127.0.0.1", "127.0.0.1", 0, 0, tls,
          "sim", Map.of("rack", "r1"), Duration.ofMillis(200), SESSION), Clock.systemUTC(),
          facts -> new io.ferry.hostagent.agent.BasicInventory(facts, Clock.systemUTC())).start());
    }
    await("a leader is elected", () -> schedulers.stream().anyMatch(Scheduler::isLeader));
    await("both agents report to it", () -> agents.stream().allMatch(Agent::connectedToLeader));
  }

  @AfterAll
  void stopCluster() {
    agents.forEach(Agent::close);
    schedulers.forEach(Scheduler::close);
    zk.close();
  }

  private Scheduler leader() {
    return schedulers.stream().filter(Scheduler::isLeader).findFirst().orElseThrow();
  }

  private Scheduler standby() {
    return schedulers.stream().filter(s -> !s.isLeader()).findFirst().orElseThrow();
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    Await.until(what, Duration.ofSeconds(30), condition);
  }

  private ClusterStatus status(String endpoint) {
    ManagedChannel ch = GrpcServers.channel(endpoint, tls);
    try {
      return AdminGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)
          .getStatus(GetStatusRequest.getDefaultInstance());
    } finally {
      GrpcServers.shutdown(ch);
    }
  }

  @Test
  void exactlyOneReplicaLeadsWithAPositiveEpoch() {
    assertThat(schedulers.stream().filter(Scheduler::isLeader)).hasSize(1);
    assertThat(leader().epoch()).isPositive();
    assertThat(standby().epoch()).isZero();
  }

  @Test
  void statusOnTheLeaderShowsBothHostsConnected() throws Exception {
    await("both hosts appear", () -> status(leader().adminEndpoint()).getHostsCount() == 2);
    ClusterStatus s = status(leader().adminEndpoint());
    assertThat(s.getLeader()).isEqualTo(leader().name());
    assertThat(s.getEpoch()).isEqualTo(leader().epoch());
    assertThat(s.getHostsList()).extracting(HostSummary::getName).containsExactly("h1", "h2");
    assertThat(s.getHostsList()).allSatisfy(h -> {
      assertThat(h.getConnected()).isTrue();
      assertThat(h.getMemoryTotalBytes()).isPositive();
      assertThat(h.getLabelsMap()).containsEntry("rack", "r1");
      assertThat(h.getHypervisor()).isEqualTo("sim");
    });
    assertThat(s.getReplicasList()).hasSize(2);
  }

  @Test
  void standbyRedirectsToTheLeader() {
    assertThatThrownBy(() -> status(standby().adminEndpoint()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
          assertThat(e.getStatus().getDescription()).contains("not the leader, leader is " + leader().name());
          assertThat(e.getTrailers().get(Metadata.Key.of("ferry-leader-endpoint",
              Metadata.ASCII_STRING_MARSHALLER))).isEqualTo(leader().adminEndpoint());
        });
  }

  @Test
  void agentOfUnknownClusterFailsWithClearMessage() {
    AgentConfig cfg = new AgentConfig("h9", zk.connectString(), "no-such-cluster", "127.0.0.1", "127.0.0.1", 0, 0,
        tls, "sim", Map.of(), Duration.ofSeconds(1), SESSION);
    assertThatThrownBy(() -> new Agent(cfg, Clock.systemUTC()).start())
        .isInstanceOf(FerryException.class)
        .hasMessageContaining("cluster 'no-such-cluster' does not exist");
  }

  @Test
  void simAgentWhoseMigrationDataPortIsTakenDoesNotStartAndSaysWhy() throws Exception {
    try (java.net.ServerSocket busy = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      AgentConfig cfg = new AgentConfig("h8", zk.connectString(), "itest", "127.0.0.1", "127.0.0.1", 0, 0,
          tls, "sim", Map.of(), Duration.ofSeconds(1), SESSION);
      Agent agent = new Agent(cfg, Clock.systemUTC()).withMigrationDataChannel(
          io.ferry.hostagent.migration.DataChannelOptions.of("127.0.0.1:" + busy.getLocalPort(), null));
      assertThatThrownBy(agent::start)
          .isInstanceOf(FerryException.class)
          .hasMessageContaining("agent h8: cannot listen for migration data on 127.0.0.1:" + busy.getLocalPort())
          .hasMessageContaining("--migration-data-listen");
    }
  }

  @Test
  void unreachableZooKeeperFailsFastWithClearMessage() {
    SchedulerConfig cfg = new SchedulerConfig("s9", "127.0.0.1:1", "itest", "127.0.0.1", "127.0.0.1", 0, 0, tls,
        null, SESSION);
    assertThatThrownBy(() -> new Scheduler(cfg, Clock.systemUTC()).start())
        .isInstanceOf(FerryException.class)
        .hasMessageContaining("cannot reach ZooKeeper at 127.0.0.1:1");
  }
}
