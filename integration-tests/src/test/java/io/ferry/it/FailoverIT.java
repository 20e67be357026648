package io.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Leadership under failure, with every piece in its own process: ZooKeeper, three schedulers, two agents.
 * Kill -9 of the leader, SIGSTOP of the leader past its session (fencing), and a ZooKeeper restart.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FailoverIT {
  @TempDir
  static Path tmp;
  private ClusterProcesses cluster;

  @BeforeAll
  void start() throws Exception {
    cluster = new ClusterProcesses(tmp, "failover");
    cluster.startZk();
    for (String s : new String[] {"s1", "s2", "s3"}) {
      cluster.startScheduler(s);
    }
    cluster.startAgent("h1", 6);
    cluster.startAgent("h2");
    ClusterProcesses.await("a leader sees both hosts", Duration.ofSeconds(60), () -> hostsConnected(2));
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  private JsonNode status() {
    try {
      return cluster.status();
    } catch (Exception e) {
      return null;
    }
  }

  private boolean hostsConnected(int n) {
    JsonNode s = status();
    if (s == null || !s.has("hosts")) {
      return false;
    }
    int connected = 0;
    for (JsonNode h : s.get("hosts")) {
      connected += h.path("connected").asBoolean() ? 1 : 0;
    }
    return connected == n;
  }

  private String leader() {
    JsonNode s = status();
    return s == null ? "" : s.path("leader").asText();
  }

  private java.util.Set<String> drainMigrations = java.util.Set.of();

  /** Ids of committed drain migrations in the journal, as the leader lists them. */
  private java.util.Set<String> committedDrains() throws Exception {
    FerryProcess.Result r = cluster.ferry("migrate", "--list", "--all", "--format", "json");
    assertThat(r.exitCode()).as(r.err()).isZero();
    java.util.Set<String> ids = new java.util.TreeSet<>();
    for (JsonNode m : new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out()).path("migrations")) {
      if (m.path("reason").asText().equals("drain") && m.path("status").path("phase").asText().equals("COMMITTED")) {
        ids.add(m.path("status").path("migrationId").asText());
      }
    }
    return ids;
  }

  /** The replica whose /metrics says it leads, or null. */
  private String leaderByMetrics() {
    for (String s : cluster.schedulers.keySet()) {
      if (cluster.metric(s, "ferry_scheduler_leader") == 1.0) {
        return s;
      }
    }
    return null;
  }

  private long epoch() {
    JsonNode s = status();
    return s == null ? 0 : s.path("epoch").asLong();
  }

  private String hostMode(String host) {
    JsonNode s = status();
    if (s != null) {
      for (JsonNode h : s.path("hosts")) {
        if (h.path("name").asText().equals(host)) {
          return h.path("mode").asText();
        }
      }
    }
    return "";
  }

  @Test
  @Order(1)
  void killingTheLeaderElectsANewOneThatIssuesCommandsWithinSessionTimeoutPlusFiveSeconds() throws Exception {
    String old = leader();
    long oldEpoch = epoch();
    assertThat(old).isNotEmpty();
    cluster.kill9(old);
    // Watch the replicas' own /metrics (cheap and immediate) for the new leader.
    Duration took = ClusterProcesses.await("a new leader", Duration.ofSeconds(30), () -> leaderByMetrics() != null);
    String now = leaderByMetrics();
    assertThat(now).isNotEqualTo(old);
    assertThat(cluster.metric(now, "ferry_scheduler_epoch")).isGreaterThan((double) oldEpoch);
    assertThat(leader()).isEqualTo(now);
    // the new leader issues commands: a drain puts h2 in maintenance on the agent itself
    FerryProcess.Result drain = cluster.ferry("drain", "h2");
    assertThat(drain.exitCode()).as(drain.err()).isZero();
    ClusterProcesses.await("h2 reports maintenance", Duration.ofSeconds(20),
        () -> hostMode("h2").equals("HOST_MODE_MAINTENANCE"));
    assertThat(took).isLessThanOrEqualTo(ClusterProcesses.SESSION.plusSeconds(5));
    cluster.startScheduler(old); // back to three replicas
  }

  @Test
  @Order(2)
  void pausedLeaderIsFencedAndStepsDownWhenItWakes() throws Exception {
    String paused = leaderByMetrics();
    assertThat(paused).isNotNull();
    cluster.signal(paused, "STOP");
    try {
      ClusterProcesses.await("another leader", Duration.ofSeconds(30), () -> {
        String now = leaderByMetrics();
        return now != null && !now.equals(paused);
      });
      long newEpoch = (long) cluster.metric(leaderByMetrics(), "ferry_scheduler_epoch");
      ClusterProcesses.await("agents obey the new epoch", Duration.ofSeconds(20),
          () -> cluster.metric("h1", "ferry_agent_highest_epoch_seen") >= newEpoch
              && cluster.metric("h2", "ferry_agent_highest_epoch_seen") >= newEpoch);
    } finally {
      cluster.signal(paused, "CONT");
    }
    // it stops issuing commands at once (suspended on the lost connection), and steps down from its epoch once its
    // next lease check has seen ZooKeeper again
    ClusterProcesses.await("the woken replica knows it does not lead", Duration.ofSeconds(20),
        () -> cluster.metric(paused, "ferry_scheduler_leader") == 0.0
            && cluster.metric(paused, "ferry_scheduler_epoch") == 0.0);
    assertThat(leader()).isNotEqualTo(paused);
  }

  @Test
  @Order(3)
  void migrationsInFlightWhenTheLeaderDiesEndCommittedOrRolledBackWithEveryVmOnOneHost() throws Exception {
    assertThat(cluster.ferry("drain", "--undo", "h2").exitCode()).isZero();
    ClusterProcesses.await("h2 takes VMs again", Duration.ofSeconds(20),
        () -> hostMode("h2").equals("HOST_MODE_NORMAL"));
    String leader = leaderByMetrics();
    assertThat(cluster.ferry("drain", "h1").exitCode()).isZero();
    ClusterProcesses.await("a migration in flight", Duration.ofSeconds(30),
        () -> cluster.metric(leader, "ferry_migrations_in_flight") > 0);
    cluster.kill9(leader);
    ClusterProcesses.await("a new leader", Duration.ofSeconds(30), () -> leaderByMetrics() != null);
    ClusterProcesses.await("h1 drained by the new leader", Duration.ofSeconds(90), () -> {
      JsonNode s = status();
      if (s == null || s.path("migrations").size() > 0) {
        return false;
      }
      int onH1 = 0;
      for (JsonNode v : s.path("vms")) {
        onH1 += v.path("host").asText().equals("h1") ? 1 : 0;
      }
      return onH1 == 0 && s.path("vms").size() == 6;
    });
    JsonNode s = status();
    java.util.Set<String> names = new java.util.HashSet<>();
    s.path("vms").forEach(v -> names.add(v.path("name").asText()));
    assertThat(names).hasSize(6);
    // no VM ever ran on two hosts at once, from the agents' own start/stop logs
    java.util.List<io.ferry.hostagent.hypervisor.VmEvent> events = new java.util.ArrayList<>();
    for (String h : new String[] {"h1", "h2"}) {
      events.addAll(io.ferry.hostagent.hypervisor.VmEventLog.read(cluster.agentState(h).resolve("vm-events.log")));
    }
    assertThat(io.ferry.hostagent.hypervisor.VmEventLog.findOverlap(events)).isEmpty();
    drainMigrations = committedDrains();
    assertThat(drainMigrations).hasSizeGreaterThanOrEqualTo(6);
    cluster.startScheduler(leader);
  }

  @Test
  @Order(4)
  void zooKeeperRestartKeepsStateAndTheClusterRecovers() throws Exception {
    long before = epoch();
    assertThat(hostMode("h1")).isEqualTo("HOST_MODE_MAINTENANCE");
    cluster.killZk();
    Thread.sleep(2_000);
    cluster.startZk();
    ClusterProcesses.await("a leader with both hosts again", Duration.ofSeconds(60), () -> hostsConnected(2));
    assertThat(epoch()).isGreaterThanOrEqualTo(before);
    // the drain decided before the restart is still in force (kept in ZooKeeper)
    assertThat(hostMode("h1")).isEqualTo("HOST_MODE_MAINTENANCE");
    // and the journal survived: a new leader, reading it from the restarted ZooKeeper, knows every drain migration
    String leader = leaderByMetrics();
    cluster.kill9(leader);
    ClusterProcesses.await("a new leader after the restart", Duration.ofSeconds(30),
        () -> leaderByMetrics() != null);
    ClusterProcesses.await("the new leader sees both hosts", Duration.ofSeconds(60), () -> hostsConnected(2));
    assertThat(committedDrains()).containsAll(drainMigrations);
    FerryProcess.Result undrain = cluster.ferry("drain", "--undo", "h1");
    assertThat(undrain.exitCode()).as(undrain.err()).isZero();
    ClusterProcesses.await("h1 normal again", Duration.ofSeconds(20),
        () -> hostMode("h1").equals("HOST_MODE_NORMAL"));
  }
}
