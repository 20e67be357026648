package io.ferry.hostagent.agent;

import io.ferry.common.FerryException;
import io.ferry.common.tls.TlsMaterial;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Everything one host agent needs to start.
 *
 * @param name           host name, unique in the cluster (Helix participant instance name)
 * @param hypervisor     "sim" or "qemu"
 * @param port           HostAgent + MigrationPeer gRPC port (0 = any free port)
 * @param reportInterval how often signals are sent to the leader
 * @param stateDir       where the agent keeps its state (sim VM disks, VM event log, qemu run dir)
 * @param ticketKeys     directory with ticket-signing.pub to verify the leader's migration tickets
 */
public record AgentConfig(String name, String zk, String cluster, String bindHost, String advertiseHost, int port,
                          int metricsPort, TlsMaterial tls, String hypervisor, Map<String, String> labels,
                          Duration reportInterval, Duration sessionTimeout, java.nio.file.Path stateDir,
                          java.nio.file.Path ticketKeys) {
  /** Without a state directory or ticket keys (tests that bring their own inventory and migration driver). */
  public AgentConfig(String name, String zk, String cluster, String bindHost, String advertiseHost, int port,
                     int metricsPort, TlsMaterial tls, String hypervisor, Map<String, String> labels,
                     Duration reportInterval, Duration sessionTimeout) {
    this(name, zk, cluster, bindHost, advertiseHost, port, metricsPort, tls, hypervisor, labels, reportInterval,
        sessionTimeout, null, null);
  }

  public AgentConfig {
    Objects.requireNonNull(tls, "tls");
    labels = Map.copyOf(labels);
    if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9.-]*")) {
      throw new FerryException("host name '" + name + "' is invalid: use letters, digits, '.' and '-'");
    }
    if (!"sim".equals(hypervisor) && !"qemu".equals(hypervisor)) {
      throw new FerryException("hypervisor '" + hypervisor + "' is unknown: use sim or qemu");
    }
    if (reportInterval.compareTo(Duration.ofMillis(100)) < 0) {
      throw new FerryException("report interval " + reportInterval.toMillis() + " ms is below 100 ms");
    }
  }
}
