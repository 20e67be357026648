package io.ferry.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.common.grpc.GrpcServers;
import io.ferry.common.testing.Await;
import io.ferry.common.testing.TestCerts;
import io.ferry.common.tls.TlsMaterial;
import io.ferry.common.zk.EmbeddedZooKeeper;
import io.ferry.hostagent.agent.Agent;
import io.ferry.hostagent.agent.AgentConfig;
import io.ferry.scheduler.testing.FakeWorld;
import io.ferry.v1.AdminGrpc;
import io.ferry.v1.DrainRequest;
import io.ferry.v1.DrainResponse;
import io.ferry.v1.GetStatusRequest;
import io.ferry.v1.HostMode;
import io.ferry.v1.HostSummary;
import io.ferry.v1.ListMigrationsRequest;
import io.ferry.v1.MigrateRequest;
import io.ferry.v1.MigrateResponse;
import io.ferry.v1.MigrationPhase;
import io.ferry.v1.MigrationRecord;
import io.ferry.v1.RequestMeta;
import io.ferry.v1.UndrainRequest;
import io.grpc.ManagedChannel;
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
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** The executor and host modes against real agents (fake VMs, fake migrations) on a real ZooKeeper. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExecutorTest {
  private static final Duration SESSION = Duration.ofSeconds(4);
  @TempDir
  static Path tmp;
  private EmbeddedZooKeeper zk;
  private TlsMaterial tls;
  private Scheduler scheduler;
  private final List<Agent> agents = new ArrayList<>();
  private final FakeWorld world = new FakeWorld();
  private ManagedChannel channel;
  private AdminGrpc.AdminBlockingStub admin;

  @BeforeAll
  void start() throws Exception {
    zk = EmbeddedZooKeeper.start("127.0.0.1", 0, tmp.resolve("zk"), 200);
    tls = TestCerts.create(Files.createDirectories(tmp.resolve("certs")), "test");
    for (int i = 0; i < 20; i++) {
      world.addVm(String.format("vm%02d", i), "h1", 1L << 30);
    }
    world.addVm("big", "h2", 30L << 30);
    world.addVm("filler", "h3", 40L << 30);
    world.addVm("small", "h2", 1L << 30);
    scheduler = new Scheduler(new SchedulerConfig("s1", zk.connectString(), "exec", "127.0.0.1", "127.0.0.1", 0, 0,
        tls, null, SESSION), Clock.systemUTC()).start();
    for (String name : List.of("h1", "h2", "h3", "h4")) {
      agents.add(startAgent(name));
    }
    await("leader and 4 hosts", () -> scheduler.isLeader() && agents.stream().allMatch(Agent::connectedToLeader));
    channel = GrpcServers.channel(scheduler.adminEndpoint(), tls);
    admin = AdminGrpc.newBlockingStub(channel);
    await("hosts known", () -> status().getHostsCount() == 4 && status().getVmsCount() == 23);
  }

  private Agent startAgent(String name) {
    return new Agent(new AgentConfig(name, zk.connectString(), "exec", "127.0.0.1", "127.0.0.1", 0, 0, tls,
        "sim", Map.of(), Duration.ofMillis(200), SESSION), Clock.systemUTC(), world::inventory)
        .withMigrations(world.driver(name)).start();
  }

  @AfterAll
  void stop() {
    GrpcServers.shutdown(channel);
    agents.forEach(Agent::close);
    scheduler.close();
    zk.close();
    world.close();
  }

  private io.ferry.v1.ClusterStatus status() {
    return admin.withDeadlineAfter(10, TimeUnit.SECONDS).getStatus(GetStatusRequest.getDefaultInstance());
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    Await.until(what, Duration.ofSeconds(60), condition);
  }

  /** As an operator would: retry while the scheduler says the VM's location is not settled yet. */
  private MigrateResponse migrate(String vm, String to, String requestId) {
    for (int attempt = 0; ; attempt++) {
      try {
        return migrateOnce(vm, to, requestId);
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() != Status.Code.UNAVAILABLE || attempt > 50) {
          throw e;
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException ie) {
          throw new IllegalStateException(ie);
        }
      }
    }
  }

  private MigrateResponse migrateOnce(String vm, String to, String requestId) {
    return admin.withDeadlineAfter(10, TimeUnit.SECONDS).migrate(MigrateRequest.newBuilder().setVm(vm)
        .setDestinationHost(to).setMeta(RequestMeta.newBuilder().setRequestId(requestId).setIssuer("test")).build());
  }

  private List<MigrationRecord> finished() {
    return admin.listMigrations(ListMigrationsRequest.newBuilder().setIncludeFinished(true).build())
        .getMigrationsList();
  }

  private MigrationRecord byId(String id) {
    return finished().stream().filter(m -> m.getStatus().getMigrationId().equals(id)).findFirst().orElseThrow();
  }

  @Test
  @Order(1)
  void manualMigrationIsJournaledAndCommitsOnTheDestination() throws Exception {
    MigrateResponse r = migrate("small", "h3", "req-small-1");
    String id = r.getMigration().getStatus().getMigrationId();
    assertThat(r.getMigration().getStatus().getPhase()).isEqualTo(MigrationPhase.PLANNED);
    assertThat(r.getMigration().getReason()).isEqualTo("manual");
    await("committed", () -> byId(id).getStatus().getPhase() == MigrationPhase.COMMITTED);
    assertThat(world.hostOf("small")).contains("h3");
    await("status shows the VM on h3", () -> status().getVmsList().stream()
        .anyMatch(v -> v.getName().equals("small") && v.getHost().equals("h3") && v.hasLastMigratedAt()));
  }

  @Test
  @Order(2)
  void duplicateRequestIdAnswersWithTheFirstMigration() {
    MigrateResponse again = migrate("small", "h4", "req-small-1");
    assertThat(again.getMigration().getStatus().getDestinationHost()).isEqualTo("h3");
    assertThat(finished().stream().filter(m -> m.getRequestId().equals("req-small-1"))).hasSize(1);
  }

  @Test
  @Order(3)
  void badRequestsAreRefusedWithReasonsAndChangeNothing() {
    assertThatThrownBy(() -> migrate("small", "h9", "r-unknown-host"))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
          assertThat(e.getStatus().getDescription()).isEqualTo("host h9 is unknown");
        });
    assertThatThrownBy(() -> migrate("nope", "h4", "r-unknown-vm"))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getDescription()).contains("VM nope is not running on any known host"));
    assertThatThrownBy(() -> migrate("big", "h3", "r-full"))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
          assertThat(e.getStatus().getDescription()).contains("needs 30720 MiB");
        });
    assertThatThrownBy(() -> migrate("small", "h3", "r-same"))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getDescription()).contains("already runs on h3"));
    assertThat(world.hostOf("small")).contains("h3");
    assertThat(world.hostOf("big")).contains("h2");
  }

  @Test
  @Order(4)
  void vmAlreadyMigratingIsRefused() throws Exception {
    world.stepMillis(400);
    MigrateResponse first = migrate("vm00", "h4", "r-vm00-a");
    assertThatThrownBy(() -> migrate("vm00", "h3", "r-vm00-b"))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
          assertThat(e.getStatus().getDescription()).contains("VM vm00 is already migrating");
        });
    String id = first.getMigration().getStatus().getMigrationId();
    await("vm00 committed", () -> byId(id).getStatus().getPhase() == MigrationPhase.COMMITTED);
    world.stepMillis(100);
    assertThat(world.hostOf("vm00")).contains("h4");
  }

  @Test
  @Order(5)
  void drainOfTwentyVmsRespectsPerHostLimitAndEndsEmptyInMaintenance() throws Exception {
    // move vm00 back so that h1 holds 20 VMs again
    await("h4 reported vm00", () -> status().getVmsList().stream()
        .anyMatch(v -> v.getName().equals("vm00") && v.getHost().equals("h4")));
    String back = migrate("vm00", "h1", "r-vm00-back").getMigration().getStatus().getMigrationId();
    await("vm00 back", () -> byId(back).getStatus().getPhase() == MigrationPhase.COMMITTED);
    await("h1 reported with 20 VMs", () -> status().getHostsList().stream()
        .anyMatch(h -> h.getName().equals("h1") && h.getVmCount() == 20));

    DrainResponse d = admin.drain(DrainRequest.newBuilder().setHost("h1")
        .setMeta(RequestMeta.newBuilder().setRequestId("drain-h1")).build());
    assertThat(d.getMode()).isEqualTo(HostMode.HOST_MODE_MAINTENANCE);
    assertThat(d.getMessage()).startsWith("draining h1: 20 VMs left");
    // A VM whose move back is not yet confirmed by a report may be planned on a later drain tick instead.
    assertThat(d.getMigrationIdsCount()).isBetween(19, 20);

    assertThatThrownBy(() -> migrate("small", "h1", "r-to-maintenance"))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getDescription()).contains("h1 is in maintenance mode"));

    await("h1 empty", () -> world.hostOf("vm00").filter(h -> !h.equals("h1")).isPresent()
        && status().getVmsList().stream().noneMatch(v -> v.getHost().equals("h1")));
    await("all drain migrations committed", () -> finished().stream().filter(m -> m.getReason().equals("drain"))
        .filter(m -> m.getStatus().getPhase() == MigrationPhase.COMMITTED).count() >= 20);
    assertThat(world.peakConcurrency("h1")).isLessThanOrEqualTo(2);
    for (String h : List.of("h2", "h3", "h4")) {
      assertThat(world.peakConcurrency(h)).as(h).isLessThanOrEqualTo(2);
    }
    await("agent confirms maintenance", () -> status().getHostsList().stream()
        .filter(h -> h.getName().equals("h1")).map(HostSummary::getMode).findFirst()
        .orElseThrow() == HostMode.HOST_MODE_MAINTENANCE);
    HostSummary h1 = status().getHostsList().stream().filter(h -> h.getName().equals("h1")).findFirst().orElseThrow();
    assertThat(h1.getVmCount()).isZero();
    assertThat(h1.getNotesList()).anyMatch(n -> n.startsWith("maintenance: drained"));

    admin.undrain(UndrainRequest.newBuilder().setHost("h1").build());
    await("h1 normal", () -> status().getHostsList().stream().filter(h -> h.getName().equals("h1"))
        .allMatch(h -> h.getMode() == HostMode.HOST_MODE_NORMAL));
  }

  @Test
  @Order(6)
  void stalledMigrationIsCancelledAndVmStaysOnSource() throws Exception {
    world.stall(true);
    // a short stall timeout keeps the test quick
    scheduler.executorLimits(new io.ferry.scheduler.executor.ExecutorLimits(8, 2, Duration.ofSeconds(2), 5,
        Duration.ofMillis(200), 200));
    String to = world.hostOf("vm05").orElseThrow().equals("h2") ? "h3" : "h2";
    String id = migrate("vm05", to, "r-stall").getMigration().getStatus().getMigrationId();
    String from = byId(id).getStatus().getSourceHost();
    await("rolled back", () -> byId(id).getStatus().getPhase() == MigrationPhase.ROLLED_BACK);
    assertThat(byId(id).getStatus().getMessage()).contains("no progress");
    assertThat(world.hostOf("vm05")).contains(from);
    world.stall(false);
  }

  @Test
  @Order(7)
  void aMigrationWaitingOnAnUnreachableSourceGoesAsSoonAsTheAgentIsBack() throws Exception {
    // a retry backoff far longer than the wait below: only the agent's return can send the migration in time
    scheduler.executorLimits(new io.ferry.scheduler.executor.ExecutorLimits(8, 2, Duration.ofSeconds(60), 5,
        Duration.ofSeconds(300), 200));
    String from = world.hostOf("small").orElseThrow();
    String to = from.equals("h1") ? "h4" : "h1";
    world.unreachable(from, true);
    try {
      int refusedBefore = world.refusedCalls(from);
      String id = migrate("small", to, "r-unreachable").getMigration().getStatus().getMigrationId();
      // the agent refused the call (the journaled attempt alone is not enough: it is written before the call goes
      // out, and a call still on its way when the host came back would start the migration on the old agent)
      await("the dispatch to " + from + " was refused", () -> world.refusedCalls(from) > refusedBefore);
      assertThat(byId(id).getStatus().getPhase()).isEqualTo(MigrationPhase.PLANNED);

      // the host comes back: its agent restarts and reports to the leader again
      int i = List.of("h1", "h2", "h3", "h4").indexOf(from);
      agents.get(i).close();
      world.unreachable(from, false);
      agents.set(i, startAgent(from));

      await("committed once " + from + " reported again", () -> byId(id).getStatus().getPhase()
          == MigrationPhase.COMMITTED);
      assertThat(world.hostOf("small")).contains(to);
    } finally {
      world.unreachable(from, false);
      scheduler.executorLimits(io.ferry.scheduler.executor.ExecutorLimits.defaults());
    }
  }
}
