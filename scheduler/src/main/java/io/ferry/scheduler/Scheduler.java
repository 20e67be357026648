package io.ferry.scheduler;

import io.ferry.common.cluster.ClusterDirectory;
import io.ferry.common.cluster.SchedulerEndpoint;
import io.ferry.common.cluster.ZkConnection;
import io.ferry.common.grpc.GrpcServers;
import io.ferry.common.metrics.MetricsEndpoint;
import io.ferry.scheduler.admin.AdminService;
import io.ferry.scheduler.executor.AgentClients;
import io.ferry.scheduler.executor.ExecutorLimits;
import io.ferry.scheduler.executor.MigrationExecutor;
import io.ferry.scheduler.executor.TicketSigner;
import io.ferry.scheduler.journal.MigrationJournal;
import io.ferry.scheduler.modes.HostModes;
import io.ferry.scheduler.ops.DeadInstanceReaper;
import io.ferry.scheduler.ops.HostOperations;
import io.ferry.scheduler.ingest.IngestService;
import io.ferry.scheduler.leadership.HelixLeadership;
import io.ferry.scheduler.loop.SchedulerLoop;
import io.ferry.scheduler.metrics.ClusterMetrics;
import io.ferry.scheduler.planning.Decisions;
import io.ferry.scheduler.planning.PlanningLoop;
import io.ferry.scheduler.policy.PolicyManager;
import io.ferry.scheduler.policy.PolicySource;
import io.ferry.scheduler.policy.PolicyStore;
import io.ferry.scheduler.state.ClusterState;
import io.ferry.scheduler.vms.VmCommands;
import io.grpc.BindableService;
import io.grpc.Server;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One scheduler replica: joins the Helix cluster as a controller, serves the Admin and Ingest APIs and
 * /metrics, and acts only while it leads.
 */
public final class Scheduler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Scheduler.class);
  private static final Duration ZK_CONNECT_TIMEOUT = Duration.ofSeconds(5);

  private final SchedulerConfig config;
  private final Clock clock;
  private ZkConnection zk;
  private ClusterDirectory directory;
  private SchedulerLoop loop;
  private HelixLeadership leadership;
  private Server server;
  private MetricsEndpoint metrics;
  private final ClusterState state = new ClusterState();
  private SchedulerEndpoint endpoint;
  private AgentClients agentClients;
  private MigrationExecutor executor;
  private HostOperations hostOps;
  private DeadInstanceReaper reaper;
  private PolicyManager policies;
  private PlanningLoop planning;
  private Decisions decisions;
  private AdminService admin;
  private VmCommands vms;

  public Scheduler(SchedulerConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
  }

  /** Starts everything or, on any failure, stops what was started and rethrows. */
  public Scheduler start() {
    try {
      System.setProperty("zk.session.timeout", Long.toString(config.sessionTimeout().toMillis()));
      zk = ZkConnection.connect(config.zk(), ZK_CONNECT_TIMEOUT, config.sessionTimeout());
      directory = new ClusterDirectory(zk.client(), config.cluster());
      directory.ensureCluster();

      PrometheusMeterRegistry registry = MetricsEndpoint.newRegistry();
      registry.config().commonTags("role", "scheduler", "replica", config.name());
      loop = new SchedulerLoop("scheduler-" + config.name());
      leadership = new HelixLeadership(config.name(), config.zk(), directory, loop, this::onTermStart,
          this::onTermEnd);
      Gauge.builder("ferry_scheduler_leader", leadership, l -> l.isLeader() ? 1 : 0)
          .description("1 while this replica is the leader").register(registry);
      Gauge.builder("ferry_scheduler_epoch", leadership, HelixLeadership::epoch)
          .description("Leadership epoch of the term this replica leads (0 when standby)").register(registry);

      agentClients = new AgentClients(config.tls(), 10_000);
      executor = new MigrationExecutor(state, leadership, loop, agentClients, ticketSigner(),
          ExecutorLimits.defaults(), clock, config.name(), registry);
      hostOps = new HostOperations(state, executor, leadership, loop, agentClients, config.name());
      reaper = new DeadInstanceReaper(zk.client(), config.cluster(), config.deadAgentGrace(), clock, state);
      decisions = new Decisions(clock, registry);
      policies = new PolicyManager(config.policy() == null ? null : new PolicySource(config.policy()), clock,
          registry, p -> {
            executor.limits(new ExecutorLimits(p.limits().maxConcurrentMigrations(),
                p.limits().maxConcurrentPerHost(), ExecutorLimits.defaults().stallTimeout(),
                ExecutorLimits.defaults().maxAttempts(), ExecutorLimits.defaults().retryBackoff(),
                ExecutorLimits.defaults().keepFinished()));
          });
      planning = new PlanningLoop(state, executor, hostOps, policies, leadership, agentClients, decisions, clock,
          config.name(), registry);
      loop.every("policy", 2_000, policies::refresh);
      loop.every("planning", 1_000, planning::tick);
      ClusterMetrics clusterMetrics = new ClusterMetrics(state, leadership, clock, registry,
          () -> policies.policy().failureAvoidance().temperature().evacuateC());
      loop.every("cluster metrics", 1_000, clusterMetrics::refresh);
      loop.every("executor", 500, executor::tick);
      loop.every("host modes", 2_000, hostOps::tick);
      loop.every("dead agents", 10_000, () -> {
        if (leadership.isLeader()) {
          reaper.tick();
        }
      });

      vms = new VmCommands(state, executor, hostOps, leadership, loop, agentClients, decisions, clock, config.name());
      loop.every("vm lifecycle", 100, vms::tick);
      admin = new AdminService(leadership, directory, loop, state, clock, executor, hostOps, policies, planning,
          decisions, vms);
      List<BindableService> services = List.of(admin,
          new IngestService(leadership, directory, loop, state, clock, registry));
      server = GrpcServers.start("scheduler " + config.name(), config.bindHost(), config.adminPort(),
          config.tls(), services);
      metrics = MetricsEndpoint.start("scheduler " + config.name(), config.bindHost(), config.metricsPort(),
          registry);
      endpoint = new SchedulerEndpoint(config.name(), config.advertiseHost() + ":" + server.getPort(),
          config.advertiseHost() + ":" + metrics.port(), 0);
      directory.publish(endpoint);
      loop.every("publish endpoints", 5_000, () -> directory.publish(withEpoch(leadership.epoch())));
      leadership.start();
      log.info("scheduler {} serving admin={} metrics={} in cluster {}", config.name(), endpoint.adminEndpoint(),
          endpoint.metricsEndpoint(), config.cluster());
      return this;
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private TicketSigner ticketSigner() {
    java.nio.file.Path dir = config.ticketKeys();
    java.nio.file.Path key = dir == null ? null : dir.resolve(io.ferry.common.tickets.TicketKeys.PRIVATE_KEY_FILE);
    java.nio.file.Path pub = dir == null ? null : dir.resolve(io.ferry.common.tickets.TicketKeys.PUBLIC_KEY_FILE);
    if (key == null || !java.nio.file.Files.isReadable(key) || !java.nio.file.Files.isReadable(pub)) {
      log.warn("scheduler {}: no ticket-signing key (pass --certs or --ticket-keys with ticket-signing.key):"
          + " migration tickets go out unsigned and agents will refuse them", config.name());
      return TicketSigner.UNSIGNED;
    }
    io.ferry.common.tickets.TicketSigner signer = new io.ferry.common.tickets.TicketSigner(
        io.ferry.common.tickets.TicketKeys.readPrivate(key), io.ferry.common.tickets.TicketKeys.readPublic(pub), clock);
    return signer::sign;
  }

  private SchedulerEndpoint withEpoch(long epoch) {
    return new SchedulerEndpoint(endpoint.name(), endpoint.adminEndpoint(), endpoint.metricsEndpoint(), epoch);
  }

  private void onTermStart(long epoch) {
    state.clear();
    reaper.reset();
    executor.onTermStart(new MigrationJournal(zk.client(), directory.ferryRoot()));
    hostOps.onTermStart(new HostModes(zk.client(), directory.ferryRoot()));
    policies.attach(new PolicyStore(zk.client(), directory.ferryRoot()));
    policies.refresh();
    planning.reset();
    decisions.clear();
    directory.publish(withEpoch(epoch));
  }

  private void onTermEnd() {
    vms.onTermEnd();
    executor.onTermEnd();
    hostOps.onTermEnd();
    policies.detach();
    state.clear();
    directory.publish(withEpoch(0));
  }

  public String adminEndpoint() {
    return endpoint.adminEndpoint();
  }

  public String metricsEndpoint() {
    return endpoint.metricsEndpoint();
  }

  public boolean isLeader() {
    return leadership != null && leadership.isLeader();
  }

  public long epoch() {
    return leadership == null ? 0 : leadership.epoch();
  }

  /** The leader's recent decisions (empty on a standby). */
  public java.util.List<io.ferry.v1.Decision> recentDecisions() {
    return decisions == null ? java.util.List.of() : decisions.recent();
  }

  /** Status as the Admin API would answer it, or empty on a standby. */
  public java.util.Optional<io.ferry.v1.ClusterStatus> status() {
    if (!isLeader()) {
      return java.util.Optional.empty();
    }
    java.util.concurrent.CompletableFuture<io.ferry.v1.ClusterStatus> f = new java.util.concurrent.CompletableFuture<>();
    admin.getStatus(io.ferry.v1.GetStatusRequest.getDefaultInstance(), new io.grpc.stub.StreamObserver<>() {
      @Override public void onNext(io.ferry.v1.ClusterStatus v) { f.complete(v); }
      @Override public void onError(Throwable t) { f.completeExceptionally(t); }
      @Override public void onCompleted() {}
    });
    try {
      return java.util.Optional.of(f.get(5, java.util.concurrent.TimeUnit.SECONDS));
    } catch (Exception e) {
      return java.util.Optional.empty();
    }
  }

  /** Changes the executor's limits (from a new policy, or a test). */
  public void executorLimits(ExecutorLimits limits) {
    executor.limits(limits);
  }

  public String name() {
    return config.name();
  }

  @Override
  public void close() {
    if (loop != null) {
      loop.close();
    }
    if (leadership != null) {
      leadership.close();
    }
    GrpcServers.shutdown(server);
    if (agentClients != null) {
      agentClients.close();
    }
    if (metrics != null) {
      metrics.close();
    }
    if (directory != null && endpoint != null) {
      try {
        directory.unpublish(config.name());
      } catch (RuntimeException ignored) {
        // ZooKeeper already gone: the ephemeral record dies with our session anyway
      }
    }
    if (zk != null) {
      zk.close();
    }
  }
}
