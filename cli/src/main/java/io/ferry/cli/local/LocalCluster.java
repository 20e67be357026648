package io.ferry.cli.local;

import io.ferry.common.tls.CertificateAuthority;
import io.ferry.common.tls.TlsMaterial;
import io.ferry.common.zk.EmbeddedZooKeeper;
import io.ferry.hostagent.agent.Agent;
import io.ferry.hostagent.agent.AgentConfig;
import io.ferry.scheduler.Scheduler;
import io.ferry.scheduler.SchedulerConfig;
import java.io.IOException;
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
 * Everything {@code ferry up} runs, in this JVM: an embedded ZooKeeper, scheduler replicas and simulated hosts,
 * each with its own ports, as they would run on separate machines.
 */
public final class LocalCluster implements AutoCloseable {
  /** Where the pieces listen. {@code base} 0 picks free ports; otherwise fixed ports from well-known bases. */
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

  public record Settings(String cluster, int replicas, int hosts, boolean insecure, Path stateDir, Ports ports,
                         Duration sessionTimeout, Duration reportInterval) {}

  private final Settings settings;
  private EmbeddedZooKeeper zk;
  private Path zkData;
  private TlsMaterial tls;
  private final List<Scheduler> schedulers = new ArrayList<>();
  private final List<Agent> agents = new ArrayList<>();

  public LocalCluster(Settings settings) {
    this.settings = settings;
  }

  public LocalCluster start() {
    try {
      Files.createDirectories(settings.stateDir());
      zkData = Files.createTempDirectory(settings.stateDir(), "zk-");
      tls = settings.insecure() ? TlsMaterial.insecurePlainText() : certificates();
      zk = EmbeddedZooKeeper.start("127.0.0.1", settings.ports().zk(), zkData, EmbeddedZooKeeper.DEFAULT_TICK_MS);
      for (int i = 0; i < settings.replicas(); i++) {
        SchedulerConfig sc = new SchedulerConfig("s" + (i + 1), zk.connectString(), settings.cluster(), "127.0.0.1",
            "127.0.0.1", settings.ports().at(settings.ports().schedulerAdminBase(), i),
            settings.ports().at(settings.ports().schedulerMetricsBase(), i), tls, null, settings.sessionTimeout());
        schedulers.add(new Scheduler(sc, Clock.systemUTC()).start());
      }
      for (int i = 0; i < settings.hosts(); i++) {
        AgentConfig ac = new AgentConfig("h" + (i + 1), zk.connectString(), settings.cluster(), "127.0.0.1",
            "127.0.0.1", settings.ports().at(settings.ports().agentBase(), i),
            settings.ports().at(settings.ports().agentMetricsBase(), i), tls, "sim",
            Map.of("rack", "r" + (i % 2 + 1)), settings.reportInterval(), settings.sessionTimeout());
        agents.add(new Agent(ac, Clock.systemUTC(), facts -> new io.ferry.hostagent.agent.BasicInventory(facts, Clock.systemUTC())).start());
      }
      return this;
    } catch (IOException e) {
      close();
      throw new UncheckedIOException(e);
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    }
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

  public TlsMaterial tls() {
    return tls;
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

  /** Stops agents, then schedulers, then ZooKeeper, and removes ZooKeeper's data. Safe to call twice. */
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
    if (zkData != null) {
      try (Stream<Path> walk = Files.walk(zkData)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException ignored) {
        // a leftover temp dir is harmless
      }
      zkData = null;
    }
  }
}
