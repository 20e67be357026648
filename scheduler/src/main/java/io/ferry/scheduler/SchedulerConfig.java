package io.ferry.scheduler;

import io.ferry.common.FerryException;
import io.ferry.common.tls.TlsMaterial;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything one scheduler replica needs to start.
 *
 * @param name           replica name, unique in the cluster (Helix controller instance name)
 * @param zk             ZooKeeper connect string
 * @param cluster        Helix cluster name
 * @param bindHost       address the admin/ingest and metrics servers bind to
 * @param advertiseHost  address other processes use to reach this replica
 * @param adminPort      admin API + ingest port (0 = any free port)
 * @param metricsPort    Prometheus /metrics port (0 = any free port)
 * @param policy         policy file or directory, or null for the built-in default
 * @param sessionTimeout ZooKeeper session timeout: how long a dead leader keeps its lease
 * @param deadAgentGrace how long an agent may stay gone before the leader removes it from the cluster
 * @param ticketKeys     directory with ticket-signing.key (from 'ferry certs init'), or null: tickets unsigned,
 *                       so agents refuse the migrations
 */
public record SchedulerConfig(String name, String zk, String cluster, String bindHost, String advertiseHost,
                              int adminPort, int metricsPort, TlsMaterial tls, Path policy,
                              Duration sessionTimeout, Duration deadAgentGrace, Path ticketKeys) {
  /** With the default grace (10 minutes) before a dead agent is removed from the cluster. */
  public SchedulerConfig(String name, String zk, String cluster, String bindHost, String advertiseHost, int adminPort,
                         int metricsPort, TlsMaterial tls, Path policy, Duration sessionTimeout) {
    this(name, zk, cluster, bindHost, advertiseHost, adminPort, metricsPort, tls, policy, sessionTimeout,
        Duration.ofMinutes(10), null);
  }

  public SchedulerConfig {
    Objects.requireNonNull(tls, "tls");
    if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
      throw new FerryException("scheduler name '" + name + "' is invalid: use letters, digits, '.', '_' and '-'");
    }
    if (cluster == null || !cluster.matches("[A-Za-z0-9][A-Za-z0-9_-]*")) {
      throw new FerryException("cluster name '" + cluster + "' is invalid: use letters, digits, '_' and '-'");
    }
    if (sessionTimeout.compareTo(Duration.ofSeconds(1)) < 0 || sessionTimeout.compareTo(Duration.ofMinutes(1)) > 0) {
      throw new FerryException("session timeout " + sessionTimeout.toMillis() + " ms is outside 1 s .. 60 s");
    }
  }
}
