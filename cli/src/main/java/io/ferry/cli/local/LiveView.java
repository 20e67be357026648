package io.ferry.cli.local;

import io.ferry.scheduler.Scheduler;
import io.ferry.v1.ClusterStatus;
import io.ferry.v1.Decision;
import io.ferry.v1.HostSummary;
import io.ferry.v1.MigrationRecord;
import java.io.PrintStream;
import java.time.Instant;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What {@code ferry up} shows: a live terminal view (hosts with CPU/memory bars, temperature, power and mode;
 * migrations in flight with progress; the last decisions with reasons), or with --no-tui one line per event
 * (decisions, leader changes, migrations that end) for logs and CI.
 */
public final class LiveView implements AutoCloseable {
  private final LocalCluster cluster;
  private final boolean tui;
  private final PrintStream out = System.out;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "ferry-up-view");
    t.setDaemon(true);
    return t;
  });
  private final Set<String> printed = new HashSet<>();
  private String leader = "";

  public LiveView(LocalCluster cluster, boolean tui) {
    this.cluster = cluster;
    this.tui = tui;
  }

  public void start() {
    timer.scheduleWithFixedDelay(this::refresh, 1, tui ? 2 : 1, TimeUnit.SECONDS);
  }

  private void refresh() {
    try {
      Optional<ClusterStatus> status = cluster.schedulers().stream().filter(Scheduler::isLeader).findFirst()
          .flatMap(Scheduler::status);
      if (status.isEmpty()) {
        return;
      }
      if (tui) {
        out.print("\033[H\033[2J" + render(status.get()));
        out.flush();
      } else {
        events(status.get());
      }
    } catch (RuntimeException e) {
      // the cluster is stopping
    }
  }

  private void events(ClusterStatus s) {
    if (!s.getLeader().equals(leader)) {
      leader = s.getLeader();
      line("leader " + leader + " epoch " + s.getEpoch());
    }
    for (Decision d : s.getRecentDecisionsList()) {
      String key = d.getAt().getSeconds() + "/" + d.getAt().getNanos() + "/" + d.getSubject();
      if (printed.add(key)) {
        line("decision " + d.getKind() + " " + d.getSubject() + " [" + d.getReason() + "] " + d.getExplanation());
      }
    }
    for (MigrationRecord m : s.getMigrationsList()) {
      String key = "m/" + m.getStatus().getMigrationId();
      if (printed.add(key)) {
        line("migration " + m.getStatus().getMigrationId() + " " + m.getStatus().getVm() + " "
            + m.getStatus().getSourceHost() + " -> " + m.getStatus().getDestinationHost() + " started ["
            + m.getReason() + "]");
      }
    }
    for (HostSummary h : s.getHostsList()) {
      String key = "h/" + h.getName() + "/" + h.getMode() + "/" + h.getPower();
      if (printed.add(key) && (h.getMode() != io.ferry.v1.HostMode.HOST_MODE_NORMAL
          || h.getPower() != io.ferry.v1.PowerState.POWER_ON || printed.contains("seen/" + h.getName()))) {
        line("host " + h.getName() + " mode " + name(h.getMode().name(), "HOST_MODE_") + " power "
            + name(h.getPower().name(), "POWER_"));
      }
      printed.add("seen/" + h.getName());
    }
  }

  private void line(String text) {
    out.println(Instant.now().toString().substring(11, 19) + " " + text);
    out.flush();
  }

  static String render(ClusterStatus s) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "ferry up  cluster %s  leader %s  epoch %d  policy %s v%d%n%n",
        s.getCluster(), s.getLeader(), s.getEpoch(), s.getPolicy().getName(), s.getPolicy().getVersion()));
    b.append(String.format(Locale.ROOT, "%-5s %-22s %-22s %6s %-8s %-12s %4s%n", "HOST", "CPU", "MEMORY", "TEMP",
        "POWER", "MODE", "VMS"));
    for (HostSummary h : s.getHostsList()) {
      double mem = h.getMemoryTotalBytes() == 0 ? 0 : (double) h.getMemoryUsedBytes() / h.getMemoryTotalBytes();
      b.append(String.format(Locale.ROOT, "%-5s %s %s %5.0fC %-8s %-12s %4d%n", h.getName(),
          bar(h.getCpuUtilizationRatio()), bar(mem), h.getTemperatureCelsius(), name(h.getPower().name(), "POWER_"),
          name(h.getMode().name(), "HOST_MODE_"), h.getVmCount()));
    }
    b.append(String.format(Locale.ROOT, "%nMIGRATIONS IN FLIGHT (%d)%n", s.getMigrationsCount()));
    for (MigrationRecord m : s.getMigrationsList()) {
      var st = m.getStatus();
      double done = st.getTotalBytes() == 0 ? 0 : 1 - (double) st.getRemainingBytes() / st.getTotalBytes();
      b.append(String.format(Locale.ROOT, "  %-6s %s -> %s %s %-12s %s%n", st.getVm(), st.getSourceHost(),
          st.getDestinationHost(), bar(done), st.getPhase(), m.getReason()));
    }
    b.append(String.format(Locale.ROOT, "%nLAST DECISIONS%n"));
    int from = Math.max(0, s.getRecentDecisionsCount() - 12);
    for (Decision d : s.getRecentDecisionsList().subList(from, s.getRecentDecisionsCount())) {
      b.append(String.format(Locale.ROOT, "  %s %-5s %-24s %-20s %s%n",
          Instant.ofEpochSecond(d.getAt().getSeconds()).toString().substring(11, 19), d.getKind(), d.getSubject(),
          d.getReason(), truncate(d.getExplanation(), 90)));
    }
    b.append("\nCtrl-C stops everything.\n");
    return b.toString();
  }

  private static String bar(double ratio) {
    int filled = (int) Math.round(Math.max(0, Math.min(1, ratio)) * 14);
    return "[" + "#".repeat(filled) + " ".repeat(14 - filled) + String.format(Locale.ROOT, "] %3.0f%%", ratio * 100);
  }

  private static String truncate(String s, int n) {
    return s.length() <= n ? s : s.substring(0, n - 1) + "…";
  }

  private static String name(String enumName, String prefix) {
    return enumName.replace(prefix, "").toLowerCase(Locale.ROOT);
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
