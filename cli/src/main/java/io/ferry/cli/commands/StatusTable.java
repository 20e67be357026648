package io.ferry.cli.commands;

import io.ferry.v1.ClusterStatus;
import io.ferry.v1.HostSummary;
import io.ferry.v1.MigrationRecord;
import io.ferry.v1.SchedulerReplica;
import java.util.Locale;

/** The human view of {@code ferry status}. */
final class StatusTable {
  private StatusTable() {}

  static String render(ClusterStatus s) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "cluster %s  leader %s (%s)  epoch %d%n", s.getCluster(),
        s.getLeader().isEmpty() ? "none" : s.getLeader(), s.getLeaderAdminEndpoint(), s.getEpoch()));
    var pol = s.getPolicy();
    b.append(String.format(Locale.ROOT, "policy %s version %d (%s)%s%n", pol.getName(), pol.getVersion(),
        pol.getSource(), pol.getLastError().isEmpty() ? "" : "\n  LAST EDIT REJECTED, previous policy kept: "
            + pol.getLastError()));
    for (SchedulerReplica r : s.getReplicasList()) {
      b.append(String.format(Locale.ROOT, "  scheduler %-24s %-22s %s%n", r.getName(), r.getAdminEndpoint(),
          r.getLeader() ? "leader" : "standby"));
    }
    b.append(String.format(Locale.ROOT, "%nHOSTS (%d)%n", s.getHostsCount()));
    b.append(String.format(Locale.ROOT, "  %-14s %-9s %-11s %6s %6s %-17s %6s %4s  %s%n", "NAME", "POWER", "MODE",
        "CPU", "MEM", "MEM USED/TOTAL", "TEMP", "VMS", "NOTES"));
    for (HostSummary h : s.getHostsList()) {
      double memRatio = h.getMemoryTotalBytes() == 0 ? 0 : (double) h.getMemoryUsedBytes() / h.getMemoryTotalBytes();
      b.append(String.format(Locale.ROOT, "  %-14s %-9s %-11s %5.0f%% %5.0f%% %8s/%-8s %6s %4d  %s%n",
          h.getName(), power(h), mode(h), 100 * h.getCpuUtilizationRatio(), 100 * memRatio,
          gib(h.getMemoryUsedBytes()), gib(h.getMemoryTotalBytes()),
          h.getTemperatureCelsius() > 0 ? String.format(Locale.ROOT, "%.0fC", h.getTemperatureCelsius()) : "-",
          h.getVmCount(), (h.getConnected() ? "" : "DISCONNECTED ") + String.join("; ", h.getNotesList())));
    }
    b.append(String.format(Locale.ROOT, "%nVMS (%d)%n", s.getVmsCount()));
    b.append(String.format(Locale.ROOT, "%nMIGRATIONS IN FLIGHT (%d)%n", s.getMigrationsCount()));
    for (MigrationRecord m : s.getMigrationsList()) {
      var st = m.getStatus();
      double done = st.getTotalBytes() == 0 ? 0 : 1 - (double) st.getRemainingBytes() / st.getTotalBytes();
      b.append(String.format(Locale.ROOT, "  %-10s %-12s %s -> %s  %-12s %3.0f%%  %s%n", st.getMigrationId(),
          st.getVm(), st.getSourceHost(), st.getDestinationHost(), st.getPhase(), 100 * done, m.getReason()));
    }
    b.append(String.format(Locale.ROOT, "%nRECENT DECISIONS%n"));
    int from = Math.max(0, s.getRecentDecisionsCount() - 15);
    for (var d : s.getRecentDecisionsList().subList(from, s.getRecentDecisionsCount())) {
      b.append(String.format(Locale.ROOT, "  %s %-6s %-28s %-22s %s%n",
          java.time.Instant.ofEpochSecond(d.getAt().getSeconds()).toString().substring(11, 19), d.getKind(),
          d.getSubject(), d.getReason(), d.getExplanation()));
    }
    return b.toString();
  }

  private static String power(HostSummary h) {
    return h.getPower().name().replace("POWER_", "").toLowerCase(Locale.ROOT);
  }

  private static String mode(HostSummary h) {
    return h.getMode().name().replace("HOST_MODE_", "").toLowerCase(Locale.ROOT);
  }

  private static String gib(long bytes) {
    return String.format(Locale.ROOT, "%.1fG", bytes / (1024.0 * 1024 * 1024));
  }
}
