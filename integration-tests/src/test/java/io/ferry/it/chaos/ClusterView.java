package io.ferry.it.chaos;

import io.ferry.hostagent.hypervisor.VmEvent;
import io.ferry.hostagent.hypervisor.VmEventLog;
import io.ferry.v1.AdminGrpc;
import io.ferry.v1.ClusterStatus;
import io.ferry.v1.GetInventoryRequest;
import io.ferry.v1.GetMigrationRequest;
import io.ferry.v1.GetStatusRequest;
import io.ferry.v1.HostAgentGrpc;
import io.ferry.v1.Inventory;
import io.ferry.v1.ListMigrationsRequest;
import io.ferry.v1.MigrationPhase;
import io.ferry.v1.MigrationRecord;
import io.ferry.v1.MigrationStatus;
import io.ferry.v1.VmState;
import io.ferry.v1.VmUsage;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * What the test sees of a {@link ChaosCluster}, always from the processes themselves: the leader's Admin API, each
 * agent's own inventory (the truth of where VMs run), the agents' VM event logs, and /metrics.
 */
final class ClusterView {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private final ChaosCluster cluster;
  /** Overlaps already reported by an earlier check (the logs keep the whole history). */
  private final Set<String> overlapsSeen = new java.util.HashSet<>();

  ClusterView(ChaosCluster cluster) {
    this.cluster = cluster;
  }

  /** The leader's Admin stub (the replica whose GetStatus answers; standbys refuse), or empty. */
  Optional<AdminGrpc.AdminBlockingStub> leader() {
    for (ChaosCluster.Node s : cluster.schedulers.values()) {
      if (!s.alive()) {
        continue;
      }
      AdminGrpc.AdminBlockingStub stub = AdminGrpc.newBlockingStub(cluster.channel(s.endpoint()));
      try {
        stub.withDeadlineAfter(2, TimeUnit.SECONDS).getStatus(GetStatusRequest.getDefaultInstance());
        return Optional.of(stub.withDeadlineAfter(5, TimeUnit.SECONDS));
      } catch (StatusRuntimeException notLeader) {
        // next replica
      }
    }
    return Optional.empty();
  }

  Optional<ClusterStatus> status() {
    try {
      return leader().map(a -> a.getStatus(GetStatusRequest.getDefaultInstance()));
    } catch (StatusRuntimeException e) {
      return Optional.empty();
    }
  }

  /** Every migration the leader knows, finished ones included. */
  List<MigrationRecord> migrations() {
    return leader().map(a -> a.listMigrations(ListMigrationsRequest.newBuilder().setIncludeFinished(true).build())
        .getMigrationsList()).orElse(List.of());
  }

  /** The agent's own inventory, asked directly (no proxy), or empty while it does not answer. */
  Optional<Inventory> inventory(ChaosCluster.Node agent) {
    if (!agent.alive()) {
      return Optional.empty();
    }
    try {
      return Optional.of(HostAgentGrpc.newBlockingStub(cluster.channel(agent.directEndpoint()))
          .withDeadlineAfter(3, TimeUnit.SECONDS).getInventory(GetInventoryRequest.getDefaultInstance()));
    } catch (StatusRuntimeException e) {
      lastErrors.put(agent.name, e.getStatus().toString());
      return Optional.empty();
    }
  }

  /** The last error of each agent's inventory call, for failure messages. */
  final Map<String, String> lastErrors = new java.util.concurrent.ConcurrentHashMap<>();

  /** What the source agent says of a migration, or empty. */
  Optional<MigrationStatus> migration(ChaosCluster.Node source, String id) {
    if (!source.alive()) {
      return Optional.empty();
    }
    try {
      return Optional.of(HostAgentGrpc.newBlockingStub(cluster.channel(source.directEndpoint()))
          .withDeadlineAfter(2, TimeUnit.SECONDS).getMigration(GetMigrationRequest.newBuilder()
              .setMigrationId(id).build()));
    } catch (StatusRuntimeException e) {
      return Optional.empty();
    }
  }

  /** Host of each running VM, from the agents' inventories (every agent must answer). */
  Optional<Map<String, String>> placement() {
    Map<String, String> where = new TreeMap<>();
    for (ChaosCluster.Node a : cluster.agents.values()) {
      Optional<Inventory> inv = inventory(a);
      if (inv.isEmpty()) {
        return Optional.empty();
      }
      inv.get().getVmsList().stream().filter(v -> v.getState() == VmState.VM_RUNNING)
          .forEach(v -> where.put(v.getName(), a.name));
    }
    return Optional.of(where);
  }

  /** A gauge or counter from a process' /metrics (first sample), or NaN. */
  double metric(ChaosCluster.Node n, String name) {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + n.metricsAddress()
          + "/metrics")).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
      for (String line : r.body().split("\n")) {
        if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
          return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
    } catch (Exception e) {
      // unreachable
    }
    return Double.NaN;
  }

  /** The scheduler replica whose /metrics says it leads, or null. */
  String leaderByMetrics() {
    for (ChaosCluster.Node s : cluster.schedulers.values()) {
      if (s.alive() && metric(s, "ferry_scheduler_leader") == 1.0) {
        return s.name;
      }
    }
    return null;
  }

  /** Every agent's VM event log, merged. */
  List<VmEvent> events() {
    List<VmEvent> all = new ArrayList<>();
    for (ChaosCluster.Node a : cluster.agents.values()) {
      Path f = a.stateDir().resolve("vm-events.log");
      if (Files.exists(f)) {
        all.addAll(VmEventLog.read(f));
      }
    }
    return all;
  }

  /**
   * The result of checking the invariants once. {@code unsettled} says why the picture is not final yet (a copy
   * still incoming, a journal entry not final): the check is then repeated, and only reported if it never settles.
   */
  record Check(int vms, List<String> lost, List<String> duplicates, List<String> problems, List<String> unsettled) {
    boolean settled() {
      return unsettled.isEmpty();
    }

    @Override
    public String toString() {
      return vms + " VMs; lost " + lost + "; duplicates " + duplicates + "; problems " + problems + "; unsettled "
          + unsettled;
    }
  }

  /**
   * Checks, from the agents' own inventories and event logs and the leader's journal: every expected VM exists and
   * runs on exactly one host; no VM ran on two hosts at once; no other VM exists (no incoming leftovers); every
   * journal entry is final; no host holds more VM memory than it has. Empty while an agent or the leader does not
   * answer, or while migrations run (the inventories would not be one consistent picture).
   */
  Optional<Check> check(Set<String> expectedVms) {
    Optional<ClusterStatus> before = status();
    if (before.isEmpty() || before.get().getMigrationsCount() > 0) {
      return Optional.empty();
    }
    Map<String, List<String>> hostsOf = new TreeMap<>();
    Map<String, VmState> stateOf = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    for (ChaosCluster.Node a : cluster.agents.values()) {
      Optional<Inventory> inv = inventory(a);
      if (inv.isEmpty()) {
        return Optional.empty();
      }
      long used = 0;
      for (VmUsage v : inv.get().getVmsList()) {
        hostsOf.computeIfAbsent(v.getName(), k -> new ArrayList<>()).add(a.name);
        stateOf.put(v.getName() + "@" + a.name, v.getState());
        used += v.getMemoryBytes();
      }
      if (used > inv.get().getFacts().getMemoryBytes()) {
        problems.add(a.name + " holds " + (used >> 20) + " MiB of VMs in " + (inv.get().getFacts().getMemoryBytes()
            >> 20) + " MiB");
      }
    }
    Optional<ClusterStatus> after = status();
    if (after.isEmpty() || after.get().getMigrationsCount() > 0) {
      return Optional.empty();
    }
    List<String> lost = new ArrayList<>();
    List<String> duplicates = new ArrayList<>();
    List<String> unsettled = new ArrayList<>();
    for (String vm : expectedVms) {
      List<String> on = hostsOf.getOrDefault(vm, List.of());
      // an incoming copy is no VM yet: the destination discards it when its source went silent
      List<String> incoming = on.stream().filter(h -> stateOf.get(vm + "@" + h) == VmState.VM_MIGRATING_IN).toList();
      List<String> real = on.stream().filter(h -> !incoming.contains(h)).toList();
      if (!incoming.isEmpty()) {
        unsettled.add("incoming copy of " + vm + " on " + incoming);
      }
      if (real.isEmpty()) {
        lost.add(vm + " (on no host)");
      } else if (real.size() > 1) {
        duplicates.add(vm + " on " + real.stream().map(h -> h + " " + stateOf.get(vm + "@" + h)).toList());
      } else if (stateOf.get(vm + "@" + real.get(0)) != VmState.VM_RUNNING) {
        lost.add(vm + " (" + stateOf.get(vm + "@" + real.get(0)) + " on " + real.get(0) + ")");
      }
    }
    Set<String> unexpected = new TreeSet<>(hostsOf.keySet());
    unexpected.removeAll(expectedVms);
    unexpected.forEach(v -> unsettled.add("unexpected VM " + v + " on " + hostsOf.get(v)));
    for (String overlap : VmEventLog.findOverlaps(events())) {
      if (overlapsSeen.add(overlap)) {
        duplicates.add("event logs: " + overlap);
      }
    }
    for (MigrationRecord m : migrations()) {
      MigrationPhase p = m.getStatus().getPhase();
      if (p != MigrationPhase.COMMITTED && p != MigrationPhase.ROLLED_BACK && p != MigrationPhase.FAILED) {
        unsettled.add("journal entry " + m.getStatus().getMigrationId() + " is " + p);
      }
    }
    return Optional.of(new Check(expectedVms.size(), lost, duplicates, problems, unsettled));
  }
}
