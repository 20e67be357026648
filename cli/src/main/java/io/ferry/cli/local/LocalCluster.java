package io.ferry.cli.local;

import io.ferry.common.tickets.TicketKeys;
import io.ferry.common.tls.CertificateAuthority;
import io.ferry.common.tls.TlsMaterial;
import io.ferry.common.zk.EmbeddedZooKeeper;
import io.ferry.hostagent.agent.Agent;
import io.ferry.hostagent.agent.AgentConfig;
import io.ferry.hostagent.signals.sim.ScenarioParser;
import io.ferry.hostagent.signals.sim.ScenarioPlayer;
import io.ferry.hostagent.signals.sim.SimHost;
import io.ferry.hostagent.signals.sim.ThermalModel;
import io.ferry.scheduler.Scheduler;
import io.ferry.scheduler.SchedulerConfig;
import io.ferry.v1.SimWorkload;
import io.ferry.v1.VmSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Everything {@code ferry up} runs, in this JVM: an embedded ZooKeeper, scheduler replicas and simulated hosts
 * with sim VMs, each with its own ports, as they would run on separate machines.
 */
public final class LocalCluster implements AutoCloseable {
  /** Where the pieces listen: fixed well-known ports, or free ports (0). */
  public record Ports(int zk, int schedulerAdminBase, int schedulerMetricsBase, int agentBase, int agentMetricsBase) {
    public static Ports fixed() {
      return new Ports(2181, 7400, 9400, 7500, 9500);
    }

    public static Ports random() {
      return new Ports(0, 0, 0, 0, 0);
    }

    int at(int base, int i) {
      return base == 0 ? 0 : base + i;
    }
  }

  /**
   * @param policy   policy file the schedulers watch, or null for the demo policy
   * @param scenario scenario file, or null for the demo scenario
   */
  public record Settings(String cluster, int replicas, int hosts, int vms, boolean insecure, Path stateDir,
                         Ports ports, Duration sessionTimeout, Duration reportInterval, Path policy, Path scenario) {}

  /** Shape of the simulated hosts: small enough that 60 VMs make them busy. */
  static final int HOST_CORES = 16;
  static final long HOST_MEMORY = 64L << 30;
  static final long VM_MEMORY = 32L << 20;

  private final Settings settings;
  private EmbeddedZooKeeper zk;
  private Path zkData;
  private Path runDir;
  private TlsMaterial tls;
  private final List<Scheduler> schedulers = new ArrayList<>();
  private final List<Agent> agents = new ArrayList<>();
  private String scenarioName;

  public LocalCluster(Settings settings) {
    this.settings = settings;
  }

  public LocalCluster start() {
    try {
      Files.createDirectories(settings.stateDir());
      runDir = Files.createTempDirectory(settings.stateDir(), "run-");
      zkData = runDir.resolve("zk");
      Path keys = ticketKeys();
      tls = settings.insecure() ? TlsMaterial.insecurePlainText() : certificates();
      Path policy = settings.policy() != null ? settings.policy() : resource("up-policy.yaml", "policy.yaml");
      Path scenarioFile = settings.scenario() != null ? settings.scenario()
          : resource("up-scenario.yaml", "scenario.yaml");
      ScenarioPlayer player = new ScenarioPlayer(ScenarioParser.parse(scenarioFile), Clock.systemUTC());
      scenarioName = player.scenario().name();
      zk = EmbeddedZooKeeper.start("127.0.0.1", settings.ports().zk(), zkData, EmbeddedZooKeeper.DEFAULT_TICK_MS);
      for (int i = 0; i < settings.replicas(); i++) {
        SchedulerConfig sc = new SchedulerConfig("s" + (i + 1), zk.connectString(), settings.cluster(), "127.0.0.1",
            "127.0.0.1", settings.ports().at(settings.ports().schedulerAdminBase(), i),
            settings.ports().at(settings.ports().schedulerMetricsBase(), i), tls, policy, settings.sessionTimeout(),
            Duration.ofMinutes(10), keys);
        schedulers.add(new Scheduler(sc, Clock.systemUTC()).start());
      }
      for (int i = 0; i < settings.hosts(); i++) {
        String name = "h" + (i + 1);
        AgentConfig ac = new AgentConfig(name, zk.connectString(), settings.cluster(), "127.0.0.1", "127.0.0.1",
            settings.ports().at(settings.ports().agentBase(), i),
            settings.ports().at(settings.ports().agentMetricsBase(), i), tls, "sim",
            Map.of("rack", "r" + (i % 2 + 1)), settings.reportInterval(), settings.sessionTimeout(),
            runDir.resolve(name), keys);
        SimHost.Spec spec = new SimHost.Spec(name, HOST_CORES, HOST_MEMORY, List.of("sda", "nvme0"),
            ThermalModel.Parameters.DEFAULT, 120, 450);
        agents.add(new Agent(ac, Clock.systemUTC()).withSim(spec, player, Duration.ofMillis(5)).start());
      }
      placeVms();
      return this;
    } catch (IOException e) {
      close();
      throw new UncheckedIOException(e);
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    }
  }

  /**
   * Starts the VMs unevenly (h1 and h2 get about twice their share) so that the first minute shows balancing.
   * CPU demands vary from 0.6 to 1.8 cores; every fifth VM belongs to app "db" (an anti-affinity example).
   */
  private void placeVms() {
    int n = agents.size();
    List<Integer> slots = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int weight = n > 2 && i < 2 ? 2 : 1;
      for (int w = 0; w < weight; w++) {
        slots.add(i);
      }
    }
    for (int v = 0; v < settings.vms(); v++) {
      Agent host = agents.get(slots.get(v % slots.size()));
      double cpu = 0.6 + 0.2 * (v % 7);
      VmSpec spec = VmSpec.newBuilder().setName(String.format("vm-%02d", v + 1)).setVcpus(2)
          .setMemoryBytes(VM_MEMORY).putLabels("app", v % 5 == 0 ? "db" : "web")
          .setSim(SimWorkload.newBuilder().setDirtyRateBytesPerSecond(256 * 1024).setPattern("hot")
              .setHotSetRatio(0.25).setCpuDemandCores(cpu).setMemoryTouchedBytes(VM_MEMORY / 2))
          .build();
      host.sim().start(spec);
    }
  }

  private Path resource(String name, String as) throws IOException {
    Path out = runDir.resolve(as);
    try (InputStream in = LocalCluster.class.getResourceAsStream("/ferry/" + name)) {
      Files.copy(in, out);
    }
    return out;
  }

  private Path ticketKeys() throws IOException {
    Path dir = settings.stateDir().resolve("certs");
    if (!Files.exists(dir.resolve(TicketKeys.PRIVATE_KEY_FILE))) {
      Files.createDirectories(dir);
      TicketKeys.write(TicketKeys.generate(), dir);
    }
    return dir;
  }

  private TlsMaterial certificates() {
    Path dir = settings.stateDir().resolve("certs");
    if (!Files.exists(dir.resolve(TlsMaterial.NODE_CERT))) {
      CertificateAuthority ca = CertificateAuthority.create(settings.cluster(), Duration.ofDays(3650));
      try {
        Files.createDirectories(dir);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      ca.writeCa(dir);
      ca.issue("ferry-local", Set.of("localhost", "127.0.0.1", "::1"), Duration.ofDays(365), dir, "node");
    }
    return TlsMaterial.fromDirectory(dir);
  }

  public EmbeddedZooKeeper zk() {
    return zk;
  }

  public String scenarioName() {
    return scenarioName;
  }

  public Path certsDir() {
    return settings.insecure() ? null : settings.stateDir().resolve("certs");
  }

  public List<Scheduler> schedulers() {
    return schedulers;
  }

  public List<Agent> agents() {
    return agents;
  }

  /** Stops agents (and their VMs), then schedulers, then ZooKeeper, and removes the run directory. Idempotent. */
  @Override
  public synchronized void close() {
    agents.forEach(Agent::close);
    agents.clear();
    schedulers.forEach(Scheduler::close);
    schedulers.clear();
    if (zk != null) {
      zk.close();
      zk = null;
    }
    if (runDir != null) {
      try (Stream<Path> walk = Files.walk(runDir)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException ignored) {
        // a leftover temp dir is harmless
      }
      runDir = null;
    }
  }
}
