package io.ferry.cli.commands;

import io.ferry.cli.client.Context;
import io.ferry.cli.local.LiveView;
import io.ferry.cli.local.LocalCluster;
import io.ferry.common.FerryException;
import io.ferry.hostagent.agent.Agent;
import io.ferry.scheduler.Scheduler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "up", mixinStandardHelpOptions = true,
    description = {"Run a whole Ferry cluster on this machine.",
        "An embedded ZooKeeper, the scheduler (--replicas for more, one leads) and simulated hosts with sim VMs,",
        "playing a scenario (default: balancing, a hot host, a failing disk, a quiet night consolidated into",
        "standby, morning load waking hosts). Prints every address, writes the current context so that",
        "'ferry status' works with no flags, shows a live view (or one line per event with --no-tui), and stops",
        "everything on Ctrl-C."})
public final class UpCommand implements Callable<Integer> {
  @Option(names = "--hosts", defaultValue = "8", description = "Simulated hosts (default: ${DEFAULT-VALUE})")
  int hosts;

  @Option(names = "--vms", defaultValue = "60", description = "Sim VMs spread over the hosts (default: ${DEFAULT-VALUE})")
  int vms;

  @Option(names = "--replicas", defaultValue = "1", description = "Scheduler replicas (default: ${DEFAULT-VALUE})")
  int replicas;

  @Option(names = "--cluster", defaultValue = "ferry-local", description = "Cluster name (default: ${DEFAULT-VALUE})")
  String cluster;

  @Option(names = "--scenario", paramLabel = "FILE", description = "Scenario to play (format: docs/scenarios.md)")
  Path scenario;

  @Option(names = "--policy", paramLabel = "FILE", description = "Policy file the schedulers watch (default: the demo policy)")
  Path policy;

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
      throw new FerryException("--hosts " + hosts + " is outside 1..200");
    }
    if (vms < 0 || vms > 2000) {
      throw new FerryException("--vms " + vms + " is outside 0..2000");
    }
    if (replicas < 1 || replicas > 5) {
      throw new FerryException("--replicas " + replicas + " is outside 1..5");
    }
    for (Path p : new Path[] {scenario, policy}) {
      if (p != null && !Files.isReadable(p)) {
        throw new FerryException("cannot read " + p);
      }
    }
    Path dir = stateDir != null ? stateDir : Path.of(System.getProperty("user.home"), ".ferry", "up");
    LocalCluster.Settings settings = new LocalCluster.Settings(cluster, replicas, hosts, vms, insecure, dir,
        randomPorts ? LocalCluster.Ports.random() : LocalCluster.Ports.fixed(), Duration.ofSeconds(5),
        reportInterval, policy, scenario);
    LocalCluster local = new LocalCluster(settings).start();
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
    System.out.println("context=" + Context.path() + " scenario=\"" + local.scenarioName() + "\""
        + " (run 'ferry status' in another terminal; Ctrl-C stops everything)");
    System.out.flush();
    boolean tui = !noTui && System.console() != null;
    LiveView view = new LiveView(local, tui);
    view.start();
    Waiter.untilShutdown(() -> {
      view.close();
      local.close();
      ctx.removeIfCurrent();
      System.out.println("ferry up: stopped");
      System.out.flush();
    });
    return 0;
  }
}
