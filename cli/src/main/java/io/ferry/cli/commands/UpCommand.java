package io.ferry.cli.commands;

import io.ferry.cli.client.Context;
import io.ferry.cli.local.LocalCluster;
import io.ferry.hostagent.agent.Agent;
import io.ferry.scheduler.Scheduler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "up", mixinStandardHelpOptions = true,
    description = {"Run a whole Ferry cluster on this machine.",
        "An embedded ZooKeeper, the scheduler (--replicas for more, one leads) and simulated hosts. Prints every address, writes the current",
        "context so that 'ferry status' works with no flags, and stops everything on Ctrl-C."})
public final class UpCommand implements Callable<Integer> {
  @Option(names = "--hosts", defaultValue = "2", description = "Simulated hosts (default: ${DEFAULT-VALUE})")
  int hosts;

  @Option(names = "--replicas", defaultValue = "1", description = "Scheduler replicas (default: ${DEFAULT-VALUE})")
  int replicas;

  @Option(names = "--cluster", defaultValue = "ferry-local", description = "Cluster name (default: ${DEFAULT-VALUE})")
  String cluster;

  @Option(names = "--insecure", description = "Plain text between the processes (default: mTLS with certificates made on first start)")
  boolean insecure;

  @Option(names = "--random-ports", description = "Use free ports instead of the fixed ones (zk 2181, schedulers 7400+/9400+, hosts 7500+/9500+)")
  boolean randomPorts;

  @Option(names = "--state-dir", paramLabel = "DIR", description = "Where certificates and data live (default: ~/.ferry/up)")
  Path stateDir;

  @Option(names = "--no-tui", description = "Print one line per event instead of the live view")
  boolean noTui;

  @Option(names = "--report-interval", defaultValue = "2s", converter = DurationConverter.class,
      description = "How often hosts report (default: ${DEFAULT-VALUE})")
  Duration reportInterval;

  @Override
  public Integer call() {
    if (hosts < 1 || hosts > 200) {
      throw new io.ferry.common.FerryException("--hosts " + hosts + " is outside 1..200");
    }
    if (replicas < 1 || replicas > 5) {
      throw new io.ferry.common.FerryException("--replicas " + replicas + " is outside 1..5");
    }
    Path dir = stateDir != null ? stateDir : Path.of(System.getProperty("user.home"), ".ferry", "up");
    LocalCluster.Settings settings = new LocalCluster.Settings(cluster, replicas, hosts, insecure, dir,
        randomPorts ? LocalCluster.Ports.random() : LocalCluster.Ports.fixed(), Duration.ofSeconds(5),
        reportInterval);
    LocalCluster local = new LocalCluster(settings);
    local.start();
    System.out.println("zk=" + local.zk().connectString() + " cluster=" + cluster);
    for (Scheduler s : local.schedulers()) {
      System.out.println("scheduler " + s.name() + " admin=" + s.adminEndpoint() + " metrics=" + s.metricsEndpoint());
    }
    for (Agent a : local.agents()) {
      System.out.println("agent " + a.name() + " admin=" + a.endpoint() + " metrics=127.0.0.1:" + a.metricsPort());
    }
    Context ctx = new Context(local.zk().connectString(), cluster,
        local.certsDir() == null ? null : local.certsDir().toAbsolutePath().toString(), insecure,
        local.schedulers().get(0).adminEndpoint());
    ctx.save();
    System.out.println("context=" + Context.path() + " (run 'ferry status' in another terminal; Ctrl-C stops everything)");
    System.out.flush();
    Waiter.untilShutdown(() -> {
      local.close();
      ctx.removeIfCurrent();
      System.out.println("ferry up: stopped");
      System.out.flush();
    });
    return 0;
  }
}
