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
  private final SignalHistory history = new SignalHistory(java.time.Duration.ofMinutes(30),
      java.time.Duration.ofSeconds(5));

  private Instant lastJoinAt = Instant.EPOCH;
  /** When each host's current report stream began: an agent's first report on every stream carries its inventory. */
  private final Map<String, Instant> streamStartedAt = new TreeMap<>();

  /** When a host was last seen for the first time (planning waits for the cluster to settle after that). */
  public Instant lastJoinAt() {
    return lastJoinAt;
  }

  public SignalHistory history() {
    return history;
  }
  /** Modes the scheduler decided (drain, quarantine), which count before the agent confirms them. */
  private final Map<String, io.ferry.v1.HostMode> wantedModes = new TreeMap<>();

  public void wantMode(String host, io.ferry.v1.HostMode mode) {
    if (mode == io.ferry.v1.HostMode.HOST_MODE_NORMAL) {
      wantedModes.remove(host);
    } else {
      wantedModes.put(host, mode);
    }
  }

  private HostState effective(HostState h) {
    io.ferry.v1.HostMode m = wantedModes.get(h.name());
    return m == null || m == h.mode() ? h
        : new HostState(h.facts(), h.signals(), h.vms(), h.power(), m, h.lastReportAt(), h.connected(), h.lastSequence());
  }

  /** The mode the agent itself last reported (may lag behind the wanted one). */
  public Optional<io.ferry.v1.HostMode> reportedMode(String host) {
    return Optional.ofNullable(hosts.get(host)).map(HostState::mode);
  }

  /** When the host's agent last (re)connected its report stream to this leader; empty before it did. */
  public Optional<Instant> reportingSince(String host) {
    return Optional.ofNullable(streamStartedAt.get(host));
  }

  public void forget(String host) {
    hosts.remove(host);
    streamStartedAt.remove(host);
    history.forget(host);
  }

  /**
   * Applies one report. Returns false when the report cannot be applied because the leader has no inventory
   * for the host yet (the agent is then asked to resend one).
   */
  public boolean apply(HostReport report, Instant receivedAt) {
    HostState prev = hosts.get(report.getHost());
    if (report.hasSignals()) {
      history.record(report.getHost(), report.getSignals(), receivedAt);
    }
    if (prev == null) {
      lastJoinAt = receivedAt;
    }
    if (report.hasInventory()) {
      streamStartedAt.put(report.getHost(), receivedAt);
      Inventory inv = report.getInventory();
      hosts.put(report.getHost(), new HostState(inv.getFacts(),
          report.hasSignals() ? report.getSignals() : HostSignals.getDefaultInstance(),
          List.copyOf(inv.getVmsList()), inv.getPower(), inv.getMode(), receivedAt, true, report.getSequence()));
      return true;
    }
    if (prev == null) {
      return false;
    }
    // Every report lists every VM of the host: an empty list means the host has no VMs.
    List<VmUsage> vms = List.copyOf(report.getVmsList());
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
    return Optional.ofNullable(hosts.get(name)).map(this::effective);
  }

  public List<HostState> hosts() {
    List<HostState> out = new ArrayList<>();
    hosts.values().forEach(h -> out.add(effective(h)));
    return out;
  }

  /**
   * Where a VM runs now, as its agents report it. Two hosts may list it for a moment: a migration has just ended and
   * one host's report predates it, or a paused source copy waits for its migration to be settled. The copy that runs
   * wins over one that does not, then the most recent report; incoming copies never count.
   */
  public Optional<HostState> hostOf(String vm) {
    HostState best = null;
    VmUsage bestVm = null;
    for (HostState h : hosts.values()) {
      for (VmUsage v : h.vms()) {
        if (v.getName().equals(vm) && v.getState() != io.ferry.v1.VmState.VM_MIGRATING_IN
            && (best == null || before(best, bestVm, h, v))) {
          best = h;
          bestVm = v;
        }
      }
    }
    return Optional.ofNullable(best).map(this::effective);
  }

  /** The host of every VM, by the rule of {@link #hostOf}, in one pass over the state. */
  public Map<String, String> vmHosts() {
    Map<String, HostState> best = new java.util.HashMap<>();
    Map<String, VmUsage> bestVm = new java.util.HashMap<>();
    for (HostState h : hosts.values()) {
      for (VmUsage v : h.vms()) {
        if (v.getState() == io.ferry.v1.VmState.VM_MIGRATING_IN) {
          continue;
        }
        HostState b = best.get(v.getName());
        if (b == null || before(b, bestVm.get(v.getName()), h, v)) {
          best.put(v.getName(), h);
          bestVm.put(v.getName(), v);
        }
      }
    }
    Map<String, String> out = new java.util.HashMap<>();
    best.forEach((vm, h) -> out.put(vm, h.name()));
    return out;
  }

  /** Whether host {@code b}'s copy {@code vb} of a VM tells better where it runs than host {@code a}'s {@code va}. */
  private static boolean before(HostState a, VmUsage va, HostState b, VmUsage vb) {
    boolean aRuns = va.getState() == io.ferry.v1.VmState.VM_RUNNING;
    boolean bRuns = vb.getState() == io.ferry.v1.VmState.VM_RUNNING;
    if (aRuns != bRuns) {
      return bRuns;
    }
    return b.lastReportAt().isAfter(a.lastReportAt());
  }

  public Optional<VmUsage> vm(String name) {
    return hostOf(name).flatMap(h -> h.vms().stream().filter(v -> v.getName().equals(name)).findFirst());
  }

  /** Forgets everything (a replica that loses leadership must not act on what it knew). */
  public void clear() {
    hosts.clear();
    history.clear();
    wantedModes.clear();
  }
}
