package io.ferry.it.chaos;

import io.ferry.v1.AdminGrpc;
import io.ferry.v1.ClusterStatus;
import io.ferry.v1.HostMode;
import io.ferry.v1.HostSummary;
import io.ferry.v1.MigrateRequest;
import io.ferry.v1.MigrationLimits;
import io.ferry.v1.MigrationPhase;
import io.ferry.v1.MigrationRecord;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs chaos scenarios against a {@link ChaosCluster}, one trial at a time: inject the fault (the scenario), heal it,
 * wait until the cluster recovers (a leader, every host connected, no migration unfinished, a new migration carried
 * out), check the invariants, and tally the results per scenario.
 */
final class ChaosRun {
  private static final Logger log = LoggerFactory.getLogger(ChaosRun.class);
  static final Duration RECOVERY_TIMEOUT = Duration.ofSeconds(150);

  final ChaosCluster cluster;
  final ClusterView view;
  final LoadDriver load;
  final Set<String> expectedVms;
  private final Set<String> lostSeen = new java.util.HashSet<>();
  private final Set<String> duplicatesSeen = new java.util.HashSet<>();

  /** What one injection did: how many migrations it interrupted, when the fault ended, and what went wrong. */
  static final class Injection {
    int interrupted;
    Instant healedAt = Instant.now();
    final List<String> problems = new ArrayList<>();

    void problem(String p) {
      problems.add(p);
    }

    void expect(boolean ok, String whatWentWrong) {
      if (!ok) {
        problems.add(whatWentWrong);
      }
    }

    void healedNow() {
      healedAt = Instant.now();
    }
  }

  interface Scenario {
    void inject(Injection in) throws Exception;
  }

  /** Per scenario: trials, VMs, interrupted migrations, VMs lost, duplicates, recovery times, failures. */
  static final class Tally {
    int trials;
    int vms;
    int interrupted;
    int lost;
    int duplicates;
    final List<Duration> recovery = new ArrayList<>();
    final List<String> failures = new ArrayList<>();

    void add(TrialJournal.Trial t) {
      trials++;
      vms = Math.max(vms, t.vms());
      interrupted += t.interrupted();
      lost += t.lost();
      duplicates += t.duplicates();
      if (t.recoveryMillis() >= 0) {
        recovery.add(Duration.ofMillis(t.recoveryMillis()));
      }
      if (!t.failures().isEmpty()) {
        failures.add("trial " + trials + ": " + String.join("; ", t.failures()));
      }
    }
  }

  private final TrialJournal journal;

  ChaosRun(ChaosCluster cluster, ClusterView view, LoadDriver load, Set<String> expectedVms, TrialJournal journal) {
    this.cluster = cluster;
    this.view = view;
    this.load = load;
    this.expectedVms = expectedVms;
    this.journal = journal;
  }

  /** One trial of {@code name}: load on, inject, load off, recover, check. */
  void trial(String name, Scenario scenario) {
    int number = journal.count(name) + 1;
    log.info("chaos: {} (trial {})", name, number);
    Injection in = new Injection();
    try {
      load.start();
      scenario.inject(in);
    } catch (Exception | AssertionError e) {
      in.problem("scenario failed: " + e);
      log.warn("chaos: {} failed while injecting", name, e);
    }
    Optional<Duration> recovered = recover(in);
    Optional<ClusterView.Check> check = recovered.isPresent() ? checkWhenQuiet(Duration.ofSeconds(60))
        : Optional.empty();
    int vms = 0;
    int lostCount = 0;
    int duplicateCount = 0;
    if (recovered.isEmpty()) {
      in.problem("did not recover within " + RECOVERY_TIMEOUT.toSeconds() + " s: " + describe());
    } else if (check.isEmpty()) {
      in.problem("no consistent picture of the cluster within 60 s after recovery: " + describe());
    } else {
      ClusterView.Check c = check.get();
      vms = c.vms();
      // a VM lost (or duplicated) stays so: count it for the trial that lost it only
      List<String> lost = c.lost().stream().filter(lostSeen::add).toList();
      List<String> duplicates = c.duplicates().stream().filter(duplicatesSeen::add).toList();
      lostCount = lost.size();
      duplicateCount = duplicates.size();
      lost.forEach(v -> in.problem("lost " + v));
      duplicates.forEach(v -> in.problem("duplicate " + v));
      in.problems.addAll(c.problems());
    }
    TrialJournal.Trial trial = new TrialJournal.Trial(journal.version(), name, vms, in.interrupted, lostCount,
        duplicateCount, recovered.map(Duration::toMillis).orElse(-1L), List.copyOf(in.problems));
    journal.add(trial);
    if (!in.problems.isEmpty()) {
      log.warn("chaos: {} trial {}: {}", name, number, in.problems);
      if (recovered.isEmpty() || check.isEmpty()) {
        reset();
      }
    } else {
      log.info("chaos: {} trial {} recovered in {} ms, {} migrations interrupted", name, number,
          recovered.get().toMillis(), in.interrupted);
    }
  }

  /**
   * Waits until the cluster works again after the fault ended: every process up, a leader with every host
   * connected, the load driver's drain undone, and a migration ordered now carried out. Returns the time from the
   * end of the fault.
   */
  private Optional<Duration> recover(Injection in) {
    Instant deadline = Instant.now().plus(RECOVERY_TIMEOUT);
    try {
      restartDead();
      if (!await(deadline, load::stop) || !await(deadline, () -> allHostsConnected(view.status()))) {
        return Optional.empty();
      }
      Optional<Instant> decided = decisionsAgain(in.healedAt, deadline);
      Instant connected = Instant.now();
      return decided.map(d -> Duration.between(in.healedAt, d.isAfter(connected) ? d : connected));
    } catch (Exception e) {
      in.problem("recovery failed: " + e);
      return Optional.empty();
    }
  }

  /** Starts every process that is not running (a scenario restarts its victims itself, this is the safety net). */
  void restartDead() throws Exception {
    for (int i = 1; i <= cluster.zk.size(); i++) {
      if (!cluster.zk.alive(i)) {
        cluster.zk.start(i);
      }
    }
    for (ChaosCluster.Node n : cluster.schedulers.values()) {
      if (!n.alive()) {
        cluster.start(n);
      }
    }
    for (ChaosCluster.Node n : cluster.agents.values()) {
      if (!n.alive()) {
        cluster.start(n);
      }
    }
  }

  /** After a trial that did not recover: heal every link, disarm failpoints, restart what is dead. */
  void reset() {
    try {
      for (ChaosCluster.Node n : cluster.agents.values()) {
        cluster.partition(n, false);
        cluster.bandwidth(n, 0);
        Files.deleteIfExists(n.failpoints());
      }
      for (ChaosCluster.Node n : cluster.schedulers.values()) {
        n.proxies().forEach(FaultProxy::heal);
        if (n.alive()) {
          cluster.signal(n, "CONT");
        }
      }
      cluster.agents.values().forEach(n -> n.proxies().forEach(FaultProxy::heal));
      restartDead();
    } catch (Exception e) {
      log.warn("chaos: reset failed", e);
    }
  }

  static boolean allHostsConnected(Optional<ClusterStatus> status) {
    if (status.isEmpty()) {
      return false;
    }
    long connected = status.get().getHostsList().stream().filter(HostSummary::getConnected).count();
    return connected == status.get().getHostsCount() && connected > 0;
  }

  /**
   * "The cluster issues decisions again": a migration ordered after the fault ended (by the planner, a drain, or
   * the probe this submits: a running VM to the emptiest other host) has been carried out. Returns when it
   * committed, as the leader journaled it.
   */
  private Optional<Instant> decisionsAgain(Instant since, Instant deadline) throws InterruptedException {
    String probe = null;
    while (Instant.now().isBefore(deadline)) {
      Optional<Instant> done = firstCommitCreatedAfter(since);
      if (done.isPresent()) {
        return done;
      }
      if (probe == null) {
        probe = submitProbe().orElse(null);
      } else if (awaitEnd(probe, Duration.ZERO).filter(p -> p != MigrationPhase.COMMITTED).isPresent()) {
        probe = null; // refused by an agent or rolled back: order another one
      }
      Thread.sleep(200);
    }
    return Optional.empty();
  }

  private Optional<Instant> firstCommitCreatedAfter(Instant since) {
    try {
      return view.migrations().stream()
          .filter(m -> m.getStatus().getPhase() == MigrationPhase.COMMITTED && instant(m.getCreatedAt()).isAfter(since))
          .map(m -> instant(m.getStatus().getUpdatedAt())).min(Comparator.naturalOrder());
    } catch (StatusRuntimeException e) {
      return Optional.empty();
    }
  }

  private static Instant instant(com.google.protobuf.Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }

  private Optional<String> submitProbe() {
    Optional<ClusterStatus> st = view.status();
    Optional<Map<String, String>> placement = view.placement();
    if (st.isEmpty() || placement.isEmpty() || placement.get().isEmpty()) {
      return Optional.empty();
    }
    Map<String, Integer> load = new LinkedHashMap<>();
    st.get().getHostsList().stream().filter(h -> h.getConnected() && h.getMode() == HostMode.HOST_MODE_NORMAL)
        .forEach(h -> load.put(h.getName(), h.getVmCount()));
    List<String> vms = new ArrayList<>(placement.get().keySet());
    java.util.Collections.shuffle(vms);
    for (String vm : vms) {
      String from = placement.get().get(vm);
      Optional<String> to = load.entrySet().stream().filter(e -> !e.getKey().equals(from))
          .min(Map.Entry.comparingByValue()).map(Map.Entry::getKey);
      if (to.isEmpty()) {
        return Optional.empty();
      }
      Optional<String> id = migrate(vm, to.get(), MigrationLimits.getDefaultInstance());
      if (id.isPresent()) {
        return id;
      }
    }
    return Optional.empty();
  }

  /** Asks the leader to migrate {@code vm} to {@code to}; the migration's id, or empty when refused. */
  Optional<String> migrate(String vm, String to, MigrationLimits limits) {
    Optional<AdminGrpc.AdminBlockingStub> leader = view.leader();
    if (leader.isEmpty()) {
      return Optional.empty();
    }
    try {
      MigrationRecord r = leader.get().migrate(MigrateRequest.newBuilder().setVm(vm).setDestinationHost(to)
          .setLimits(limits).build()).getMigration();
      return Optional.of(r.getStatus().getMigrationId());
    } catch (StatusRuntimeException e) {
      log.debug("chaos: migration of {} to {} refused: {}", vm, to, e.getStatus());
      return Optional.empty();
    }
  }

  /** The final phase of migration {@code id} once the leader's journal has one, within {@code timeout}. */
  Optional<MigrationPhase> awaitEnd(String id, Duration timeout) throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    do {
      try {
        for (MigrationRecord m : view.migrations()) {
          MigrationPhase p = m.getStatus().getPhase();
          if (m.getStatus().getMigrationId().equals(id) && (p == MigrationPhase.COMMITTED
              || p == MigrationPhase.ROLLED_BACK || p == MigrationPhase.FAILED)) {
            return Optional.of(p);
          }
        }
      } catch (StatusRuntimeException e) {
        // leader changing
      }
      if (!timeout.isZero()) {
        Thread.sleep(200);
      }
    } while (Instant.now().isBefore(deadline));
    return Optional.empty();
  }

  /**
   * Checks the invariants at a moment when no migration runs and nothing is left to settle (retrying until then);
   * when that moment does not come, the last check, with what kept it unsettled among its problems.
   */
  private Optional<ClusterView.Check> checkWhenQuiet(Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    Optional<ClusterView.Check> last = Optional.empty();
    while (Instant.now().isBefore(deadline)) {
      try {
        Optional<ClusterView.Check> c = view.check(expectedVms);
        if (c.isPresent() && c.get().settled()) {
          return c;
        }
        if (c.isPresent()) {
          last = c;
        }
        Thread.sleep(300);
      } catch (StatusRuntimeException e) {
        // leader changing
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.empty();
      }
    }
    return last.map(c -> {
      List<String> problems = new ArrayList<>(c.problems());
      c.unsettled().forEach(u -> problems.add("still after " + timeout.toSeconds() + " s: " + u));
      return new ClusterView.Check(c.vms(), c.lost(), c.duplicates(), problems, List.of());
    });
  }

  /** Polls {@code condition} until it holds or {@code deadline} passes. */
  static boolean await(Instant deadline, BooleanSupplier condition) throws InterruptedException {
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        return false;
      }
      Thread.sleep(100);
    }
    return true;
  }

  static boolean await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
    return await(Instant.now().plus(timeout), condition);
  }

  /** Kicks the load and waits (up to 15 s) until a migration is in flight; how many are. */
  int migrationsInFlight(Duration within) throws InterruptedException {
    int[] n = {0};
    await(within, () -> {
      n[0] = view.status().map(ClusterStatus::getMigrationsCount).orElse(0);
      return n[0] > 0;
    });
    return n[0];
  }

  /**
   * Running VMs that no migration is moving now, with their host, the hosts with most VMs first (from the agents'
   * inventories and the leader's list of migrations).
   */
  List<Map.Entry<String, String>> idleVms() {
    Map<String, String> placement = view.placement().orElse(Map.of());
    Set<String> moving = new java.util.HashSet<>();
    view.status().ifPresent(st -> st.getMigrationsList().forEach(m -> moving.add(m.getStatus().getVm())));
    Map<String, Long> count = new LinkedHashMap<>();
    placement.values().forEach(h -> count.merge(h, 1L, Long::sum));
    List<Map.Entry<String, String>> out = new ArrayList<>(placement.entrySet().stream()
        .filter(e -> !moving.contains(e.getKey())).toList());
    out.sort(Comparator.comparing((Map.Entry<String, String> e) -> count.get(e.getValue())).reversed());
    return out;
  }

  /** Agents sorted by how many VMs run on them, most first (from the agents' inventories). */
  List<ChaosCluster.Node> agentsByVms() {
    Map<String, String> placement = view.placement().orElse(Map.of());
    Map<String, Long> count = new LinkedHashMap<>();
    placement.values().forEach(h -> count.merge(h, 1L, Long::sum));
    List<ChaosCluster.Node> out = new ArrayList<>(cluster.agents.values());
    out.sort(Comparator.comparing((ChaosCluster.Node n) -> count.getOrDefault(n.name, 0L)).reversed());
    return out;
  }

  private String describe() {
    try {
      Optional<ClusterStatus> st = view.status();
      if (st.isEmpty()) {
        return "no leader answers; schedulers alive " + cluster.schedulers.values().stream().filter(
            ChaosCluster.Node::alive).map(n -> n.name).toList() + ", leader by metrics " + view.leaderByMetrics();
      }
      List<String> hosts = st.get().getHostsList().stream().map(h -> h.getName() + (h.getConnected() ? "" : "(down)")
          + ":" + h.getVmCount()).toList();
      List<String> migrations = st.get().getMigrationsList().stream().map(m -> m.getStatus().getMigrationId() + " "
          + m.getStatus().getVm() + " " + m.getStatus().getSourceHost() + "->" + m.getStatus().getDestinationHost()
          + " " + m.getStatus().getPhase() + " (" + m.getStatus().getMessage() + ")").toList();
      return "leader " + st.get().getLeader() + ", hosts " + hosts + ", migrations " + migrations;
    } catch (RuntimeException e) {
      return "cannot describe: " + e;
    }
  }

  /** The names of the VMs that exist when the run starts: none may be lost or duplicated later. */
  static Set<String> vmsNow(ClusterView view) {
    return new TreeSet<>(view.placement().orElseThrow().keySet());
  }

  static void arm(ChaosCluster.Node agent, String point, String vm) throws Exception {
    Files.deleteIfExists(hits(agent));
    Files.writeString(agent.failpoints(), point + " " + vm + " sleep 60000\n");
  }

  static Path hits(ChaosCluster.Node agent) {
    return agent.failpoints().resolveSibling(agent.failpoints().getFileName() + ".hits");
  }

  static void disarm(ChaosCluster.Node agent) throws Exception {
    Files.deleteIfExists(agent.failpoints());
  }
}
