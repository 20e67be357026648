package io.ferry.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.common.grpc.GrpcServers;
import io.ferry.common.testing.Await;
import io.ferry.common.testing.TestCerts;
import io.ferry.common.tls.TlsMaterial;
import io.ferry.common.zk.EmbeddedZooKeeper;
import io.ferry.hostagent.agent.Agent;
import io.ferry.hostagent.agent.AgentConfig;
import io.ferry.scheduler.testing.FakeWorld;
import io.ferry.v1.AdminGrpc;
import io.ferry.v1.ApplyPolicyRequest;
import io.ferry.v1.ApplyPolicyResponse;
import io.ferry.v1.ClusterStatus;
import io.ferry.v1.GetStatusRequest;
import io.ferry.v1.HostMode;
import io.ferry.v1.PlanRequest;
import io.grpc.ManagedChannel;
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
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** Policies through the admin API and a watched file, and the leader's planning rounds acting on them. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PolicyAndPlanningTest {
  private static final Duration SESSION = Duration.ofSeconds(4);
  private static final String GOOD = """
      apiVersion: ferry.io/v1
      kind: SchedulingPolicy
      metadata: {name: fast}
      spec:
        interval: 1s
        balance: {enabled: false}
        failureAvoidance: {enabled: true, temperature: {warnC: 80, evacuateC: 90, predictWindow: 1m}}
        limits: {maxConcurrentMigrations: 4, maxConcurrentPerHost: 2, maxMovesPerRound: 10, vmCooldown: 1m}
      """;
  @TempDir
  static Path tmp;
  private EmbeddedZooKeeper zk;
  private Scheduler scheduler;
  private final List<Agent> agents = new ArrayList<>();
  private final FakeWorld world = new FakeWorld();
  private ManagedChannel channel;
  private AdminGrpc.AdminBlockingStub admin;
  private Path policyFile;

  @BeforeAll
  void start() throws Exception {
    zk = EmbeddedZooKeeper.start("127.0.0.1", 0, tmp.resolve("zk"), 200);
    TlsMaterial tls = TestCerts.create(Files.createDirectories(tmp.resolve("certs")), "test");
    for (int i = 0; i < 4; i++) {
      world.addVm("hot-vm" + i, "h1", 2L << 30);
    }
    policyFile = tmp.resolve("policy.yaml");
    Files.writeString(policyFile, GOOD);
    scheduler = new Scheduler(new SchedulerConfig("s1", zk.connectString(), "plan", "127.0.0.1", "127.0.0.1", 0, 0,
        tls, policyFile, SESSION), Clock.systemUTC()).start();
    for (String name : List.of("h1", "h2", "h3")) {
      agents.add(new Agent(new AgentConfig(name, zk.connectString(), "plan", "127.0.0.1", "127.0.0.1", 0, 0, tls,
          "sim", Map.of(), Duration.ofMillis(200), SESSION), Clock.systemUTC(), world::inventory)
          .withMigrations(world.driver(name)).start());
    }
    channel = GrpcServers.channel(scheduler.adminEndpoint(), tls);
    admin = AdminGrpc.newBlockingStub(channel);
    await("leader sees 3 hosts", () -> scheduler.isLeader() && status().getHostsCount() == 3);
  }

  @AfterAll
  void stop() {
    GrpcServers.shutdown(channel);
    agents.forEach(Agent::close);
    scheduler.close();
    zk.close();
    world.close();
  }

  private ClusterStatus status() {
    return admin.withDeadlineAfter(10, TimeUnit.SECONDS).getStatus(GetStatusRequest.getDefaultInstance());
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    Await.until(what, Duration.ofSeconds(60), condition);
  }

  @Test
  @Order(1)
  void watchedPolicyFileIsInForce() throws Exception {
    await("policy fast in force", () -> status().getPolicy().getName().equals("fast"));
    assertThat(status().getPolicy().getSource()).endsWith("policy.yaml");
  }

  @Test
  @Order(2)
  void invalidApplyIsRefusedWithPositionsAndTheRunningPolicyStays() {
    ApplyPolicyResponse r = admin.applyPolicy(ApplyPolicyRequest.newBuilder().setFileName("bad.yaml")
        .setYaml(GOOD.replace("interval: 1s", "intervall: 1s")).build());
    assertThat(r.getApplied()).isFalse();
    assertThat(r.getErrorsList()).anySatisfy(e -> {
      assertThat(e.getFile()).isEqualTo("bad.yaml");
      assertThat(e.getLine()).isEqualTo(5);
      assertThat(e.getMessage()).contains("intervall").contains("interval");
    });
    ClusterStatus s = status();
    assertThat(s.getPolicy().getName()).isEqualTo("fast");
    assertThat(s.getPolicy().getLastError()).contains("bad.yaml:5");
  }

  @Test
  @Order(3)
  void brokenEditOfTheWatchedFileKeepsTheLastGoodPolicy() throws Exception {
    long version = status().getPolicy().getVersion();
    Files.writeString(policyFile, GOOD.replace("evacuateC: 90", "evacuateC: hot"));
    await("the edit is seen and refused", () -> status().getPolicy().getLastError().contains("evacuateC"));
    assertThat(status().getPolicy().getVersion()).isEqualTo(version);
    assertThat(status().getPolicy().getName()).isEqualTo("fast");
    Files.writeString(policyFile, GOOD); // fixed again
    await("error cleared", () -> status().getPolicy().getLastError().isEmpty());
  }

  @Test
  @Order(4)
  void hotHostIsQuarantinedAndEvacuatedWithReasons() throws Exception {
    String dry = admin.plan(PlanRequest.getDefaultInstance()).getPlanTable();
    assertThat(dry).isNotEmpty();
    world.temperature("h1", 95);
    await("h1 quarantined", () -> status().getHostsList().stream()
        .anyMatch(h -> h.getName().equals("h1") && h.getMode() == HostMode.HOST_MODE_QUARANTINE));
    await("h1 empty", () -> world.hostOf("hot-vm0").filter(h -> !h.equals("h1")).isPresent()
        && world.hostOf("hot-vm1").filter(h -> !h.equals("h1")).isPresent()
        && world.hostOf("hot-vm2").filter(h -> !h.equals("h1")).isPresent()
        && world.hostOf("hot-vm3").filter(h -> !h.equals("h1")).isPresent());
    ClusterStatus s = status();
    assertThat(s.getRecentDecisionsList()).anySatisfy(d -> {
      assertThat(d.getKind()).isEqualTo("move");
      assertThat(d.getReason()).isEqualTo("evacuate-temperature");
      assertThat(d.getExplanation()).contains("95");
    });
    assertThat(s.getRecentDecisionsList()).anySatisfy(d -> assertThat(d.getKind()).isEqualTo("mode"));
  }
}
