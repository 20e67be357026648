package io.ferry.it.chaos;

import io.ferry.v1.ClusterStatus;
import io.ferry.v1.MigrationLimits;
import io.ferry.v1.MigrationPhase;
import io.ferry.v1.MigrationStatus;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The faults of the chaos suite, one method each. Every scenario injects its fault while the load driver keeps
 * migrations flowing, checks what must hold during the fault, and ends it (restarts what it killed, heals what it
 * cut); {@link ChaosRun} then waits for recovery and checks the invariants.
 */
final class Scenarios {
  /** Bandwidth of migrations that must stay in their transfer phase long enough to be hit there. */
  static final long SLOW_TRANSFER_BYTES_PER_SECOND = 2L << 20;

  private final ChaosRun run;
  private final ChaosCluster cluster;
  private final ClusterView view;

  Scenarios(ChaosRun run) {
    this.run = run;
    this.cluster = run.cluster;
    this.view = run.view;
  }

  /** Every scenario, by the name the table shows. */
  Map<String, ChaosRun.Scenario> all() {
    Map<String, ChaosRun.Scenario> s = new java.util.LinkedHashMap<>();
    s.put("kill -9 leader", this::killLeader);
    s.put("kill -9 standby scheduler", this::killStandby);
    for (String phase : List.of("prepare", "transfer", "switchover", "commit")) {
      s.put("kill -9 source agent at " + phase, in -> killAgentAtPhase(in, phase, true));
      s.put("kill -9 destination agent at " + phase, in -> killAgentAtPhase(in, phase, false));
    }
    s.put("kill -9 one ZooKeeper member", this::killOneZk);
    s.put("kill -9 two ZooKeeper members", this::killTwoZk);
    s.put("SIGSTOP leader past session timeout", this::pauseLeader);
    // on loopback only the agent's proxied links can be cut: its report stream to the leader goes on
    s.put(cluster.network == ChaosCluster.Network.NAMESPACES ? "partition one agent"
        : "partition one agent (loopback: ZooKeeper and inbound links only)", this::partitionAgent);
    s.put("partition leader from ZooKeeper", this::partitionLeaderFromZk);
    s.put("slow links (bandwidth caps)", this::slowLinks);
    s.put("latency and loss (proxy)", this::latencyAndLoss);
    s.put("mid-stream cuts (proxy)", this::midStreamCuts);
    s.put("burst of bad input", in -> new BadInput(run).burst(in));
    return s;
  }

  // ------------------------------------------------------------------------------------------- schedulers

  private String leader(ChaosRun.Injection in) throws InterruptedException {
    String[] l = {null};
    ChaosRun.await(Duration.ofSeconds(30), () -> (l[0] = view.leaderByMetrics()) != null);
    if (l[0] == null) {
      throw new IllegalStateException("no leader before the fault");
    }
    return l[0];
  }

  private void killLeader(ChaosRun.Injection in) throws Exception {
    in.interrupted = run.migrationsInFlight(Duration.ofSeconds(15));
    String old = leader(in);
    double epoch = view.metric(cluster.node(old), "ferry_scheduler_epoch");
    cluster.kill9(cluster.node(old));
    in.healedNow();
    String[] now = {null};
    in.expect(ChaosRun.await(ChaosCluster.SESSION.plusSeconds(10), () -> (now[0] = view.leaderByMetrics()) != null),
        "no new leader within session timeout + 10 s");
    if (now[0] != null) {
      in.expect(!now[0].equals(old), "the killed replica still leads");
      in.expect(view.metric(cluster.node(now[0]), "ferry_scheduler_epoch") > epoch, "the new term's epoch is not"
          + " higher than " + epoch);
    }
    cluster.start(cluster.node(old));
  }

  private void killStandby(ChaosRun.Injection in) throws Exception {
    in.interrupted = run.migrationsInFlight(Duration.ofSeconds(15));
    String leader = leader(in);
    ChaosCluster.Node standby = cluster.schedulers.values().stream().filter(n -> !n.name.equals(leader))
        .findFirst().orElseThrow();
    cluster.kill9(standby);
    in.healedNow();
    Thread.sleep(2_000);
    in.expect(leader.equals(view.leaderByMetrics()), "leadership moved when a standby died");
    cluster.start(standby);
  }

  private void pauseLeader(ChaosRun.Injection in) throws Exception {
    in.interrupted = run.migrationsInFlight(Duration.ofSeconds(15));
    String paused = leader(in);
    ChaosCluster.Node p = cluster.node(paused);
    cluster.signal(p, "STOP");
    try {
      String[] now = {null};
      boolean elected = ChaosRun.await(ChaosCluster.SESSION.plusSeconds(15), () -> {
        now[0] = view.leaderByMetrics();
        return now[0] != null && !now[0].equals(paused);
      });
      in.expect(elected, "no other leader while " + paused + " was stopped");
      if (elected) {
        double epoch = view.metric(cluster.node(now[0]), "ferry_scheduler_epoch");
        in.expect(ChaosRun.await(Duration.ofSeconds(20), () -> cluster.agents.values().stream()
                .allMatch(a -> view.metric(a, "ferry_agent_highest_epoch_seen") >= epoch)),
            "agents did not all obey the new epoch " + epoch);
      }
      Thread.sleep(ChaosCluster.SESSION.toMillis());
    } finally {
      cluster.signal(p, "CONT");
      in.healedNow();
    }
    in.expect(ChaosRun.await(Duration.ofSeconds(15), () -> view.metric(p, "ferry_scheduler_leader") == 0.0),
        "the woken replica " + paused + " still believes it leads");
  }

  private void partitionLeaderFromZk(ChaosRun.Injection in) throws Exception {
    in.interrupted = run.migrationsInFlight(Duration.ofSeconds(15));
    String cut = leader(in);
    ChaosCluster.Node n = cluster.node(cut);
    for (FaultProxy p : cluster.zkLinks(n)) {
      p.blackhole(true);
    }
    try {
      in.expect(ChaosRun.await(ChaosCluster.SESSION.plusSeconds(5), () -> view.metric(n, "ferry_scheduler_leader")
          == 0.0), "the leader cut off from ZooKeeper kept leading past its session");
      String[] now = {null};
      in.expect(ChaosRun.await(ChaosCluster.SESSION.plusSeconds(15), () -> {
        now[0] = view.leaderByMetrics();
        return now[0] != null && !now[0].equals(cut);
      }), "no other replica took over while " + cut + " was cut off from ZooKeeper");
      Thread.sleep(3_000);
    } finally {
      for (FaultProxy p : cluster.zkLinks(n)) {
        p.heal();
        p.cutAll();
      }
      in.healedNow();
    }
  }

  // ------------------------------------------------------------------------------------------- ZooKeeper

  /** The member that currently leads the ensemble (ZooKeeper's "srvr" command), or 1. */
  private int zkLeader() {
    for (int i = 1; i <= cluster.zk.size(); i++) {
      if (!cluster.zk.alive(i)) {
        continue;
      }
      try (java.net.Socket s = new java.net.Socket(cluster.zk.host(), cluster.zk.clientPort(i))) {
        s.setSoTimeout(2_000);
        s.getOutputStream().write("srvr".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        String out = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
        if (out.contains("Mode: leader")) {
          return i;
        }
      } catch (java.io.IOException e) {
        // next member
      }
    }
    return 1;
  }

  private void killOneZk(ChaosRun.Injection in) throws Exception {
    in.interrupted = run.migrationsInFlight(Duration.ofSeconds(15));
    int member = zkLeader();
    cluster.zk.kill9(member);
    in.healedNow();
    // two of three members are a quorum: the cluster keeps acting, a migration ordered now completes. The load
    // drains one host after another meanwhile, so each attempt picks its VM and destination afresh.
    List<String> tried = new ArrayList<>();
    boolean moved = false;
    Instant deadline = Instant.now().plusSeconds(60);
    while (!moved && Instant.now().isBefore(deadline)) {
      Optional<Ordered> m = orderMigration((vm, from, to) -> run.migrate(vm, to.name,
          MigrationLimits.getDefaultInstance()));
      if (m.isEmpty()) {
        tried.add("the leader refused every migration for 30 s");
        continue;
      }
      Optional<MigrationPhase> end = run.awaitEnd(m.get().id(), Duration.ofSeconds(30));
      moved = end.orElse(null) == MigrationPhase.COMMITTED;
      tried.add(m.get().id() + " of " + m.get().vm() + " " + m.get().source().name + " -> "
          + m.get().destination().name + ": " + end.map(Enum::name).orElse("not ended in 30 s"));
    }
    in.expect(moved, "no migration completed with one ZooKeeper member of three down: " + tried);
    cluster.zk.start(member);
    in.healedNow();
  }

  private void killTwoZk(ChaosRun.Injection in) throws Exception {
    in.interrupted = run.migrationsInFlight(Duration.ofSeconds(15));
    int first = zkLeader();
    int second = first % cluster.zk.size() + 1;
    cluster.zk.kill9(first);
    cluster.zk.kill9(second);
    try {
      // no quorum: every replica stops leading, and once they have, no new migration starts on any agent
      in.expect(ChaosRun.await(ChaosCluster.SESSION.plusSeconds(15), () -> cluster.schedulers.values().stream()
              .allMatch(s -> view.metric(s, "ferry_scheduler_leader") == 0.0)),
          "a replica kept leading without a ZooKeeper quorum");
      Thread.sleep(2_000);
      Set<String> before = migrationIdsOnAgents();
      Thread.sleep(6_000);
      Set<String> after = migrationIdsOnAgents();
      after.removeAll(before);
      in.expect(after.isEmpty(), "agents started migrations without a ZooKeeper quorum: " + after);
    } finally {
      cluster.zk.start(first);
      in.healedNow();
      cluster.zk.start(second);
    }
  }

  private Set<String> migrationIdsOnAgents() {
    Set<String> ids = new TreeSet<>();
    for (ChaosCluster.Node a : cluster.agents.values()) {
      view.inventory(a).ifPresent(inv -> inv.getMigrationsList().forEach(m -> ids.add(m.getMigrationId())));
    }
    return ids;
  }

  // ------------------------------------------------------------------------------------------- agents

  /**
   * Kills the source or the destination agent of a migration at one of its phases. The migration is ordered for a
   * chosen VM; a failpoint holds it at the phase (prepare, switchover, commit) or a bandwidth cap keeps it
   * transferring; the victim is killed there, the hold released, and the victim restarted.
   */
  private void killAgentAtPhase(ChaosRun.Injection in, String phase, boolean killSource) throws Exception {
    MigrationLimits limits = phase.equals("transfer")
        ? MigrationLimits.newBuilder().setBandwidthBytesPerSecond(SLOW_TRANSFER_BYTES_PER_SECOND).build()
        : MigrationLimits.getDefaultInstance();
    Ordered m = orderMigration((vm, from, to) -> armAndMigrate(phase, killSource, vm, from, to, limits))
        .orElseThrow(() -> new IllegalStateException("the leader refused every migration for 30 s"));
    killAt(in, phase, killSource, m.vm(), m.id(), m.source(), m.destination());
  }

  /** A migration the leader accepted. */
  private record Ordered(String vm, String id, ChaosCluster.Node source, ChaosCluster.Node destination) {}

  /** Orders one VM from one agent to another; empty when the leader refuses. */
  private interface Attempt {
    Optional<String> order(String vm, ChaosCluster.Node from, ChaosCluster.Node to) throws Exception;
  }

  /**
   * Orders a migration of a VM no migration is moving, towards the agent with the fewest VMs first. The leader may
   * refuse (the VM has just moved, the host is being drained, the load's migrations reserved its memory): then the
   * next VM, the next agent, and again for up to 30 s.
   */
  private Optional<Ordered> orderMigration(Attempt attempt) throws Exception {
    Instant deadline = Instant.now().plusSeconds(30);
    while (Instant.now().isBefore(deadline)) {
      List<ChaosCluster.Node> emptiestFirst = new ArrayList<>(run.agentsByVms());
      java.util.Collections.reverse(emptiestFirst);
      for (ChaosCluster.Node to : emptiestFirst) {
        for (Map.Entry<String, String> candidate : run.idleVms()) {
          if (candidate.getValue().equals(to.name)) {
            continue;
          }
          ChaosCluster.Node from = cluster.node(candidate.getValue());
          Optional<String> id = attempt.order(candidate.getKey(), from, to);
          if (id.isPresent()) {
            return Optional.of(new Ordered(candidate.getKey(), id.get(), from, to));
          }
        }
      }
      Thread.sleep(500);
    }
    return Optional.empty();
  }


  /** The agent that holds the migration at {@code phase} (a failpoint), or null for the transfer (bandwidth cap). */
  private static ChaosCluster.Node holder(String phase, boolean killSource, ChaosCluster.Node source,
                                          ChaosCluster.Node destination) {
    return switch (phase) {
      case "prepare" -> destination;
      case "switchover" -> killSource ? source : destination;
      case "commit" -> source;
      default -> null;
    };
  }

  private static String point(String phase, boolean killSource) {
    return switch (phase) {
      case "prepare" -> "migration.destination.prepare";
      case "switchover" -> killSource ? "migration.source.switchover" : "migration.destination.switchover";
      case "commit" -> "migration.source.commit";
      default -> null;
    };
  }

  private Optional<String> armAndMigrate(String phase, boolean killSource, String vm, ChaosCluster.Node source,
                                         ChaosCluster.Node destination, MigrationLimits limits) throws Exception {
    ChaosCluster.Node holder = holder(phase, killSource, source, destination);
    if (holder != null) {
      ChaosRun.arm(holder, point(phase, killSource), vm);
    }
    Optional<String> id = run.migrate(vm, destination.name, limits);
    if (id.isEmpty() && holder != null) {
      ChaosRun.disarm(holder);
    }
    return id;
  }

  private void killAt(ChaosRun.Injection in, String phase, boolean killSource, String vm, String mid,
                      ChaosCluster.Node source, ChaosCluster.Node destination) throws Exception {
    ChaosCluster.Node holder = holder(phase, killSource, source, destination);
    String point = point(phase, killSource);
    ChaosCluster.Node victim = killSource ? source : destination;
    try {
      boolean reached;
      if (holder != null) {
        reached = ChaosRun.await(Duration.ofSeconds(30), () -> hit(holder, point, vm));
      } else {
        reached = ChaosRun.await(Duration.ofSeconds(30), () -> view.migration(source, mid)
            .filter(s -> s.getPhase() == MigrationPhase.TRANSFERRING && s.getStats().getBytesTotal() > (1 << 20))
            .isPresent());
      }
      if (!reached) {
        Optional<MigrationStatus> st = view.migration(source, mid);
        throw new IllegalStateException("migration " + mid + " of " + vm + " never reached " + phase + " ("
            + st.map(s -> s.getPhase() + " " + s.getMessage()).orElse("unknown to " + source.name) + ")");
      }
      in.interrupted = Math.max(1, view.status().map(ClusterStatus::getMigrationsCount).orElse(1));
      cluster.kill9(victim);
    } finally {
      if (holder != null) {
        ChaosRun.disarm(holder);
      }
    }
    Thread.sleep(1_000);
    cluster.start(victim);
    in.healedNow();
  }

  private static boolean hit(ChaosCluster.Node agent, String point, String vm) {
    try {
      return Files.exists(ChaosRun.hits(agent))
          && Files.readString(ChaosRun.hits(agent)).contains(point + " " + vm + " ");
    } catch (java.io.IOException e) {
      return false;
    }
  }

  private void partitionAgent(ChaosRun.Injection in) throws Exception {
    in.interrupted = run.migrationsInFlight(Duration.ofSeconds(15));
    // the agent taking part in most migrations right now, else the busiest
    ChaosCluster.Node victim = run.agentsByVms().get(0);
    Optional<ClusterStatus> st = view.status();
    if (st.isPresent() && st.get().getMigrationsCount() > 0) {
      victim = cluster.node(st.get().getMigrations(0).getStatus().getSourceHost());
    }
    ChaosCluster.Node cut = victim;
    cluster.partition(cut, true);
    try {
      if (cluster.network == ChaosCluster.Network.NAMESPACES) {
        in.expect(ChaosRun.await(ChaosCluster.SESSION.plusSeconds(15), () -> view.status().map(s -> s.getHostsList()
                .stream().anyMatch(h -> h.getName().equals(cut.name) && !h.getConnected())).orElse(false)),
            "the leader never saw " + cut.name + " disconnected");
        Thread.sleep(3_000);
      } else {
        Thread.sleep(ChaosCluster.SESSION.toMillis() + 8_000);
      }
    } finally {
      cluster.partition(cut, false);
      in.healedNow();
    }
  }

  // ------------------------------------------------------------------------------------------- links

  private void slowLinks(ChaosRun.Injection in) throws Exception {
    for (ChaosCluster.Node a : cluster.agents.values()) {
      cluster.bandwidth(a, 1L << 20);
    }
    try {
      in.interrupted = run.migrationsInFlight(Duration.ofSeconds(15));
      Thread.sleep(15_000);
      in.interrupted = Math.max(in.interrupted, view.status().map(ClusterStatus::getMigrationsCount).orElse(0));
    } finally {
      for (ChaosCluster.Node a : cluster.agents.values()) {
        cluster.bandwidth(a, 0);
      }
      in.healedNow();
    }
  }

  private void latencyAndLoss(ChaosRun.Injection in) throws Exception {
    List<FaultProxy> links = new ArrayList<>();
    cluster.agents.values().forEach(a -> links.addAll(a.inboundLinks()));
    cluster.agents.values().forEach(a -> links.addAll(a.zkProxies));
    links.forEach(p -> p.latency(Duration.ofMillis(40)).loss(0.02));
    try {
      in.interrupted = run.migrationsInFlight(Duration.ofSeconds(15));
      Thread.sleep(15_000);
    } finally {
      links.forEach(FaultProxy::heal);
      in.healedNow();
    }
  }

  /**
   * Cuts migration streams in the middle: a slow migration is cut during its transfer (it must roll back and leave
   * the VM where it was), then the destinations' links of the running load are cut every two seconds.
   */
  private void midStreamCuts(ChaosRun.Injection in) throws Exception {
    MigrationLimits slow = MigrationLimits.newBuilder().setBandwidthBytesPerSecond(SLOW_TRANSFER_BYTES_PER_SECOND)
        .build();
    Optional<Ordered> ordered = orderMigration((vm, from, to) -> run.migrate(vm, to.name, slow));
    in.expect(ordered.isPresent(), "the leader refused every slow migration for 30 s");
    if (ordered.isPresent()) {
      Ordered m = ordered.get();
      String mid = m.id();
      boolean transferring = ChaosRun.await(Duration.ofSeconds(30), () -> view.migration(m.source(), mid)
          .filter(s -> s.getPhase() == MigrationPhase.TRANSFERRING && s.getStats().getBytesTotal() > (1 << 20))
          .isPresent());
      in.expect(transferring, "migration " + mid + " never transferred");
      int cut = m.destination().cutInbound();
      in.interrupted++;
      in.expect(cut > 0, "no connection to cut on " + m.destination().name + "'s link");
      Optional<MigrationPhase> end = run.awaitEnd(mid, Duration.ofSeconds(60));
      in.expect(end.isPresent(), "the cut migration " + mid + " never ended");
      in.expect(end.isEmpty() || end.get() != MigrationPhase.FAILED, "the cut migration " + mid + " FAILED");
    }
    int cuts = 0;
    Instant until = Instant.now().plusSeconds(10);
    while (Instant.now().isBefore(until)) {
      Optional<ClusterStatus> st = view.status();
      if (st.isPresent()) {
        for (var m : st.get().getMigrationsList()) {
          cuts += cluster.node(m.getStatus().getDestinationHost()).cutInbound() > 0 ? 1 : 0;
        }
      }
      Thread.sleep(2_000);
    }
    in.interrupted += cuts;
    in.healedNow();
  }
}
