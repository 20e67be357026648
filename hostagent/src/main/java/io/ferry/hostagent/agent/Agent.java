package io.ferry.hostagent.agent;

import io.ferry.common.FerryException;
import io.ferry.common.cluster.ClusterDirectory;
import io.ferry.common.cluster.ZkConnection;
import io.ferry.common.grpc.GrpcServers;
import io.ferry.common.metrics.MetricsEndpoint;
import io.ferry.hostagent.migration.DataChannelOptions;
import io.ferry.v1.HostFacts;
import io.ferry.v1.HostReport;
import io.grpc.BindableService;
import io.grpc.Server;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import io.ferry.hostagent.signals.HostSampler;
import java.util.function.Function;
import org.apache.helix.HelixManager;
import org.apache.helix.HelixManagerFactory;
import org.apache.helix.InstanceType;
import org.apache.helix.model.InstanceConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One host agent: joins the Helix cluster as a participant (its instance config carries its endpoint, labels
 * and capacity), serves HostAgent (and MigrationPeer) on its gRPC port, reports to the leader, and serves
 * /metrics.
 */
public final class Agent implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Agent.class);
  private static final Duration ZK_CONNECT_TIMEOUT = Duration.ofSeconds(5);

  private final AgentConfig config;
  private final Clock clock;
  private final Function<HostFacts, InventorySource> inventoryFactory;
  private final List<BindableService> extraServices = new ArrayList<>();
  private ZkConnection zk;
  private HelixManager participant;
  private Server server;
  private MetricsEndpoint metrics;
  private volatile LeaderReporter reporter;
  private HostAgentService hostAgent;
  private EpochFence fence;
  private String endpoint;
  private PrometheusMeterRegistry registry;
  private ScheduledExecutorService smartSchedule;

  /** @param inventoryFactory builds the inventory source from the host facts known at start */
  public Agent(AgentConfig config, Clock clock, Function<HostFacts, InventorySource> inventoryFactory) {
    this.config = config;
    this.clock = clock;
    this.inventoryFactory = inventoryFactory;
  }

  /**
   * An agent measuring the real host (the /proc, /sys and smartctl samplers, with their gauges on this agent's
   * registry). Sim hosts pass their own inventory factory.
   */
  public Agent(AgentConfig config, Clock clock) {
    this(config, clock, null);
  }

  private MigrationDriver migrationDriver;
  /** The driver behind HostAgent.StartVm/StopVm (the sim runtime's, or one given with {@link #withHypervisor}). */
  private io.ferry.hostagent.hypervisor.Hypervisor hypervisor;
  private SimRuntime sim;
  private io.ferry.hostagent.signals.sim.SimHost.Spec simSpec;
  private io.ferry.hostagent.signals.sim.ScenarioPlayer scenario;

  /** For sim hosts: the simulated machine's shape and the scenario to play; call before {@link #start()}. */
  public Agent withSim(io.ferry.hostagent.signals.sim.SimHost.Spec spec,
                       io.ferry.hostagent.signals.sim.ScenarioPlayer scenario, Duration tick) {
    this.simSpec = spec;
    this.scenario = scenario;
    this.simTick = tick;
    return this;
  }

  private Duration simTick = io.ferry.hostagent.sim.SimHypervisor.DEFAULT_TICK;
  private boolean durableSimVms;
  private boolean simReservedHugePages;
  private int advertisedPort;

  /**
   * The port other processes reach this agent on when it differs from the bound one (a NAT or proxy forwards it);
   * 0: the bound port. Call before {@link #start()}.
   */
  public Agent withAdvertisedPort(int port) {
    if (port < 0 || port > 65535) {
      throw new FerryException("advertised port " + port + " is outside 0..65535");
    }
    this.advertisedPort = port;
    return this;
  }

  /**
   * Sim VMs keep their RAM and run state in the state directory and outlive this agent process, as QEMU VMs do;
   * a restarted agent adopts them. Needs a state directory; call before {@link #start()}.
   */
  public Agent withDurableSimVms() {
    if (config.stateDir() == null) {
      throw new FerryException("agent " + config.name() + ": durable sim VMs need a state directory (--state-dir)");
    }
    this.durableSimVms = true;
    return this;
  }

  /**
   * Sim VMs take guest RAM from the host's reserved 2 MiB huge pages while it has free ones; not
   * with durable sim VMs (their RAM is a file in the state directory). Call before {@link #start()}.
   */
  public Agent withSimReservedHugePages() {
    this.simReservedHugePages = true;
    return this;
  }

  /** The sim runtime of a sim host (to start VMs), or null. */
  public SimRuntime sim() {
    return sim;
  }

  private DataChannelOptions dataChannel = DataChannelOptions.DEFAULT;

  /** For sim hosts: where incoming transfer streams arrive; call before {@link #start()}. */
  public Agent withMigrationDataChannel(DataChannelOptions options) {
    this.dataChannel = java.util.Objects.requireNonNull(options, "options");
    return this;
  }

  private QemuRuntime qemu;
  private QemuRuntime.Options qemuOptions = QemuRuntime.Options.defaults();

  /** For qemu hosts: how QEMU runs here; call before {@link #start()}. */
  public Agent withQemu(QemuRuntime.Options options) {
    this.qemuOptions = options;
    return this;
  }

  /** The QEMU runtime of a qemu host, or null. */
  public QemuRuntime qemu() {
    return qemu;
  }

  /** The migration engine behind HostAgent.MigrateVm; call before {@link #start()}. */
  public Agent withMigrations(MigrationDriver driver) {
    this.migrationDriver = driver;
    return this;
  }

  /** The hypervisor driver that starts and stops VMs on HostAgent.StartVm/StopVm; call before {@link #start()}. */
  public Agent withHypervisor(io.ferry.hostagent.hypervisor.Hypervisor driver) {
    this.hypervisor = driver;
    return this;
  }

  /** Adds a gRPC service (e.g. MigrationPeer) to the agent's server; call before {@link #start()}. */
  public Agent withService(BindableService service) {
    extraServices.add(service);
    return this;
  }

  public Agent start() {
    try {
      return doStart();
    } catch (java.io.IOException e) {
      close();
      throw new FerryException("agent " + config.name() + ": " + e.getMessage(), e);
    }
  }

  private Agent doStart() throws java.io.IOException {
    try {
      System.setProperty("zk.session.timeout", Long.toString(config.sessionTimeout().toMillis()));
      zk = ZkConnection.connect(config.zk(), ZK_CONNECT_TIMEOUT, config.sessionTimeout());
      ClusterDirectory directory = new ClusterDirectory(zk.client(), config.cluster());
      if (!directory.clusterExists()) {
        throw new FerryException("cluster '" + config.cluster() + "' does not exist in ZooKeeper at " + config.zk()
            + ": start a scheduler first ('ferry scheduler --cluster " + config.cluster() + "') or check --cluster");
      }
      fence = new EpochFence(directory::currentEpoch);
      registry = MetricsEndpoint.newRegistry();
      registry.config().commonTags("role", "agent", "host", config.name());

      // The facts name the bound port, so the service is registered first and made ready afterwards.
      hostAgent = new HostAgentService(config.name(), fence);
      List<BindableService> services = new ArrayList<>(extraServices);
      services.add(hostAgent);
      java.util.concurrent.atomic.AtomicReference<String> self = new java.util.concurrent.atomic.AtomicReference<>();
      if (inventoryFactory == null && "qemu".equals(config.hypervisor())) {
        if (config.stateDir() == null) {
          throw new FerryException("agent " + config.name() + ": a qemu host needs --state-dir (its VMs' run"
              + " directories live there, so a restarted agent adopts them)");
        }
        qemu = new QemuRuntime(config.name(), qemuOptions, config.stateDir(), config.ticketKeys(), config.tls(),
            self::get, registry, clock);
        services.add(qemu.peerService());
        migrationDriver = qemu.migrations();
        hypervisor = qemu.hypervisor();
      }
      if (inventoryFactory == null && "sim".equals(config.hypervisor())) {
        java.nio.file.Path dir = config.stateDir() != null ? config.stateDir()
            : java.nio.file.Files.createTempDirectory("ferry-agent-" + config.name());
        sim = new SimRuntime(config.name(), simSpec != null ? simSpec
            : io.ferry.hostagent.signals.sim.SimHost.Spec.typical(config.name()), dir, durableSimVms,
            config.ticketKeys(),
            config.tls(), self::get, registry, clock, scenario, simTick, dataChannel);
        if (simReservedHugePages) {
          sim.hypervisor().reservedHugePages();
        }
        services.add(sim.peerService());
        migrationDriver = sim.migrations();
        hypervisor = sim.hypervisor();
      }
      server = GrpcServers.start("agent " + config.name(), config.bindHost(), config.port(), config.tls(),
          services);
      endpoint = config.advertiseHost() + ":" + (advertisedPort > 0 ? advertisedPort : server.getPort());
      self.set(endpoint);
      if (sim != null) {
        try {
          sim.startDataChannel().ifPresent(e -> log.info("agent {}: incoming migration streams on {}",
              config.name(), e));
        } catch (IllegalStateException e) {
          throw new FerryException("agent " + config.name() + ": " + e.getMessage()
              + " (--migration-data-listen, or --no-migration-data-channel)");
        }
      }
      HostFacts facts = HostFacts.newBuilder()
          .setName(config.name())
          .setCpuCores(Runtime.getRuntime().availableProcessors())
          .setMemoryBytes(((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
              .getOperatingSystemMXBean()).getTotalMemorySize())
          .setHypervisor(config.hypervisor())
          .setAgentEndpoint(endpoint)
          .setMigrationAddress(config.advertiseHost())
          .putAllLabels(config.labels())
          .build();
      InventorySource inventory = inventoryFactory != null ? inventoryFactory.apply(facts)
          : sim != null ? sim.inventory(facts) : qemu != null ? realHost(qemu.facts(facts), qemu.hypervisor()::list)
          : realHost(facts, List::of);
      if (migrationDriver != null) {
        hostAgent.migrations(migrationDriver);
      }
      if (hypervisor != null) {
        hostAgent.vms(new VmLifecycle(config.name(), hypervisor, () -> hostAgent.migrations().list(),
            this::reportNow));
      }
      hostAgent.ready(inventory);

      metrics = MetricsEndpoint.start("agent " + config.name(), config.bindHost(), config.metricsPort(), registry);
      Gauge.builder("ferry_agent_highest_epoch_seen", fence, EpochFence::highestSeen)
          .description("Highest leader epoch this agent has obeyed").register(registry);

      joinHelix(inventory.facts());
      reporter = new LeaderReporter(config.name(), directory, config.tls(), fence::observe,
          () -> HostReport.newBuilder().setSignals(inventory.sampleSignals()).addAllVms(inventory.vms())
              .setPower(hostAgent.power()).setMode(hostAgent.mode()),
          hostAgent::inventory, config.reportInterval(), clock);
      Gauge.builder("ferry_agent_connected_to_leader", reporter, r -> r.connected() ? 1 : 0)
          .description("1 while the report stream to the leader is open").register(registry);
      reporter.start();
      log.info("agent {} serving {} (hypervisor {}) metrics=:{} in cluster {}", config.name(), endpoint,
          config.hypervisor(), metrics.port(), config.cluster());
      return this;
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private InventorySource realHost(HostFacts facts, java.util.function.Supplier<List<io.ferry.v1.VmUsage>> vms) {
    HostSampler sampler = HostSampler.builder(registry).clock(clock).build();
    smartSchedule = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "agent-" + config.name() + "-smart");
      t.setDaemon(true);
      return t;
    });
    sampler.startSmart(smartSchedule);
    return new RealHostInventory(sampler, facts, vms);
  }

  private void joinHelix(HostFacts facts) {
    participant = HelixManagerFactory.getZKHelixManager(config.cluster(), config.name(), InstanceType.PARTICIPANT,
        config.zk());
    try {
      participant.connect();
    } catch (Exception e) {
      throw new FerryException("agent " + config.name() + ": cannot join Helix cluster " + config.cluster() + ": "
          + e.getMessage(), e);
    }
    var admin = participant.getClusterManagmentTool();
    InstanceConfig ic = admin.getInstanceConfig(config.cluster(), config.name());
    ic.getRecord().setSimpleField("ferry.endpoint", endpoint);
    ic.getRecord().setSimpleField("ferry.hypervisor", config.hypervisor());
    ic.getRecord().setIntField("ferry.cpuCores", facts.getCpuCores());
    ic.getRecord().setLongField("ferry.memoryBytes", facts.getMemoryBytes());
    ic.getRecord().setMapField("ferry.labels", new java.util.TreeMap<>(config.labels()));
    admin.setInstanceConfig(config.cluster(), config.name(), ic);
  }

  public String endpoint() {
    return endpoint;
  }

  private void reportNow() {
    LeaderReporter r = reporter;
    if (r != null) {
      r.reportNow();
    }
  }

  public int metricsPort() {
    return metrics.port();
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public EpochFence fence() {
    return fence;
  }

  public boolean connectedToLeader() {
    return reporter != null && reporter.connected();
  }

  public String name() {
    return config.name();
  }

  @Override
  public void close() {
    if (reporter != null) {
      reporter.close();
    }
    if (smartSchedule != null) {
      smartSchedule.shutdownNow();
    }
    if (participant != null && participant.isConnected()) {
      participant.disconnect();
    }
    GrpcServers.shutdown(server);
    if (sim != null) {
      sim.close();
    }
    if (qemu != null) {
      qemu.close();
    }
    if (metrics != null) {
      metrics.close();
    }
    if (zk != null) {
      zk.close();
    }
  }
}
