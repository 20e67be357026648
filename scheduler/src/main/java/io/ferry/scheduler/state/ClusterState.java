package io.ferry.scheduler.state;

import io.ferry.v1.HostReport;
import io.ferry.v1.HostSignals;
import io.ferry.v1.Inventory;
import io.ferry.v1.VmUsage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The leader's model of the cluster, rebuilt from agents' reports. Agents are the truth of where a VM runs:
 * a full inventory replaces everything known about that host. Mutated only on the scheduler loop.
 */
public final class ClusterState {
  private final Map<String, HostState> hosts = new TreeMap<>();

  /**
   * Applies one report. Returns false when the report cannot be applied because the leader has no inventory
   * for the host yet (the agent is then asked to resend one).
   */
  public boolean apply(HostReport report, Instant receivedAt) {
    HostState prev = hosts.get(report.getHost());
    if (report.hasInventory()) {
      Inventory inv = report.getInventory();
      hosts.put(report.getHost(), new HostState(inv.getFacts(),
          report.hasSignals() ? report.getSignals() : HostSignals.getDefaultInstance(),
          List.copyOf(inv.getVmsList()), inv.getPower(), inv.getMode(), receivedAt, true, report.getSequence()));
      return true;
    }
    if (prev == null) {
      return false;
    }
    List<VmUsage> vms = report.getVmsCount() > 0 || prev.vms().isEmpty() ? List.copyOf(report.getVmsList())
        : prev.vms();
    hosts.put(report.getHost(), new HostState(prev.facts(),
        report.hasSignals() ? report.getSignals() : prev.signals(), vms,
        report.getPower(), report.getMode(), receivedAt, true, report.getSequence()));
    return true;
  }

  /** The host's stream ended: keep what we know, mark it disconnected. */
  public void disconnected(String host) {
    hosts.computeIfPresent(host, (k, h) -> h.disconnected());
  }

  public Optional<HostState> host(String name) {
    return Optional.ofNullable(hosts.get(name));
  }

  public List<HostState> hosts() {
    return new ArrayList<>(hosts.values());
  }

  /** Forgets everything (a replica that loses leadership must not act on what it knew). */
  public void clear() {
    hosts.clear();
  }
}
