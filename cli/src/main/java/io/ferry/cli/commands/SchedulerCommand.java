package io.ferry.cli.commands;

import io.ferry.scheduler.Scheduler;
import io.ferry.scheduler.SchedulerConfig;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "scheduler", mixinStandardHelpOptions = true,
    description = {"Run one scheduler replica.",
        "Replicas elect a leader through Helix/ZooKeeper; the leader collects host reports, evaluates the policy",
        "and orders migrations, fenced by an epoch. Standbys redirect clients to the leader."})
public final class SchedulerCommand implements Callable<Integer> {
  @Mixin
  ServerOptions server;

  @Option(names = "--name", paramLabel = "NAME", description = "Replica name, unique in the cluster (default: sched-HOST-PORT)")
  String name;

  @Option(names = "--admin-port", defaultValue = "7400", description = "Admin API + ingest port (default: ${DEFAULT-VALUE})")
  int adminPort;

  @Option(names = "--metrics-port", defaultValue = "9400", description = "Prometheus /metrics port (default: ${DEFAULT-VALUE})")
  int metricsPort;

  @Option(names = "--policy", paramLabel = "PATH",
      description = "Policy file, or a directory watched for changes (default: built-in default policy)")
  Path policy;

  @Override
  public Integer call() throws Exception {
    if (server.advertisePort() > 0) {
      throw new io.ferry.common.FerryException("--advertise " + server.advertise + ": a scheduler advertises an"
          + " address only (its admin port is --admin-port)");
    }
    String n = name != null ? name : "sched-" + InetAddress.getLocalHost().getHostName() + "-" + adminPort;
    SchedulerConfig config = new SchedulerConfig(n, server.zk, server.cluster, server.bind, server.advertiseHost(),
        adminPort, metricsPort, server.tls(), policy, server.sessionTimeout, java.time.Duration.ofMinutes(10),
        server.ticketKeys());
    Scheduler s = new Scheduler(config, Clock.systemUTC()).start();
    System.out.println("scheduler " + n + " admin=" + s.adminEndpoint() + " metrics=" + s.metricsEndpoint()
        + " cluster=" + server.cluster);
    System.out.flush();
    Waiter.untilShutdown(s::close);
    return 0;
  }
}
