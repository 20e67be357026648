package io.ferry.it.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.benchmarks.report.BenchReport;
import io.ferry.it.FerryProcess;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault-injection suite: a 3-member ZooKeeper ensemble, 3 schedulers and 6 sim agents as separate processes
 * (each agent in its own network namespace when the machine allows it), migrations kept flowing by drains and the
 * balancer, and every scenario of {@link Scenarios} injected one at a time, each followed by recovery and the
 * invariants. Prints the table of docs/reliability.md.
 *
 * <p>{@code -Dferry.chaos.trials=N} trials per scenario (default 1; the {@code chaos} Maven profile runs 10 and sets
 * {@code -Dferry.chaos.report=FILE} to write the table); {@code -Dferry.chaos.scenarios=REGEX} runs only matching
 * scenarios; {@code -Dferry.chaos.network=loopback} does without namespaces.
 */
class ChaosIT {
  private static final int AGENTS = 6;
  private static final int VMS_PER_LOADED_AGENT = 6;

  @TempDir
  Path tmp;

  @Test
  void clusterSurvivesEveryFaultWithoutLosingOrDuplicatingAVm() throws Exception {
    int trials = Integer.getInteger("ferry.chaos.trials", 1);
    Pattern only = Pattern.compile(System.getProperty("ferry.chaos.scenarios", ".*"));
    Path work = workDir();
    Path logs = Path.of(System.getProperty("ferry.chaos.logs", "target/chaos-logs")).toAbsolutePath();
    deleteTree(logs);
    Path policy = work.resolve("chaos-policy.yaml");
    try (InputStream in = ChaosIT.class.getResourceAsStream("/chaos-policy.yaml")) {
      Files.copy(in, policy);
    }
    Instant began = Instant.now();
    try (ChaosCluster cluster = ChaosCluster.create(work, logs, policy)) {
      ClusterView view = new ClusterView(cluster);
      start(cluster, view);
      Set<String> vms = ChaosRun.vmsNow(view);
      assertThat(vms).hasSize(VMS_PER_LOADED_AGENT * AGENTS / 2);
      String journalFile = System.getProperty("ferry.chaos.journal", "");
      TrialJournal journal = new TrialJournal(journalFile.isBlank() ? null : Path.of(journalFile),
          TrialJournal.codeVersion(FerryProcess.jar().getParent().getParent().getParent()));
      try (LoadDriver load = new LoadDriver(view, List.copyOf(cluster.agents.keySet()))) {
        ChaosRun run = new ChaosRun(cluster, view, load, vms, journal);
        Map<String, ChaosRun.Scenario> scenarios = new Scenarios(run).all();
        // with a journal, trials an earlier (interrupted) run of this code already made count
        for (int t = 0; t < trials; t++) {
          for (Map.Entry<String, ChaosRun.Scenario> s : scenarios.entrySet()) {
            if (only.matcher(s.getKey()).find() && journal.count(s.getKey()) <= t) {
              run.trial(s.getKey(), s.getValue());
            }
          }
        }
        Map<String, ChaosRun.Tally> tallies = journal.tallies(List.copyOf(scenarios.keySet()));
        report(cluster, tallies, trials, Duration.between(began, Instant.now()), journal);
        // every trial of this code counts, also those an interrupted earlier run made: what the table shows
        String failures = ReliabilityReport.failures(tallies);
        assertThat(tallies.values().stream().mapToInt(t -> t.lost).sum()).as("VMs lost\n" + failures).isZero();
        assertThat(tallies.values().stream().mapToInt(t -> t.duplicates).sum()).as("duplicates\n" + failures)
            .isZero();
        assertThat(failures).as("every trial recovers with every check passing").isEmpty();
      }
    } finally {
      deleteTree(work);
    }
  }

  private static void start(ChaosCluster cluster, ClusterView view) throws Exception {
    cluster.zk.startAll();
    for (String s : new String[] {"s1", "s2", "s3"}) {
      cluster.addScheduler(s);
    }
    for (ChaosCluster.Node n : cluster.schedulers.values()) {
      cluster.start(n);
    }
    for (int i = 1; i <= AGENTS; i++) {
      cluster.addAgent("h" + i, i <= AGENTS / 2 ? VMS_PER_LOADED_AGENT : 0);
    }
    for (ChaosCluster.Node n : cluster.agents.values()) {
      cluster.start(n);
    }
    assertThat(ChaosRun.await(Duration.ofSeconds(120), () -> view.status().map(s -> s.getHostsCount() == AGENTS
        && ChaosRun.allHostsConnected(java.util.Optional.of(s))).orElse(false)))
        .as("a leader sees all " + AGENTS + " hosts").isTrue();
    assertThat(ChaosRun.await(Duration.ofSeconds(60), () -> view.placement().map(p -> p.size()
        == VMS_PER_LOADED_AGENT * AGENTS / 2).orElse(false)))
        .as(() -> "every sim VM runs: " + view.placement() + " " + view.lastErrors).isTrue();
  }

  private static void report(ChaosCluster cluster, Map<String, ChaosRun.Tally> tallies, int trials, Duration took,
                             TrialJournal journal) throws IOException {
    String table = ReliabilityReport.table(tallies);
    String failures = ReliabilityReport.failures(tallies);
    System.out.println("\nChaos suite (code " + journal.version() + "): " + trials + " trial(s) per scenario, this"
        + " run " + took.toMinutes() + " min, " + cluster.networkDescription() + "\n\n" + table
        + (failures.isEmpty() ? "" : "\nFailures:\n" + failures));
    String target = System.getProperty("ferry.chaos.report");
    if (target != null && !target.isBlank()) {
      String section = String.format(Locale.ROOT, "## Last full run%n%n"
              + "%d trial(s) per scenario of code %s, on %s.%n"
              + "Network: %s.%n%n%s%s", trials, journal.version(), BenchReport.machine(),
          cluster.networkDescription(), table, failures.isEmpty() ? "\nEvery trial recovered and passed every check.\n"
              : "\nFailures:\n\n" + failures);
      ReliabilityReport.write(Path.of(target), section);
    }
  }

  /**
   * Sim VMs keep their RAM in files: on tmpfs ({@code /dev/shm}) when there is one, so the run does not write
   * gigabytes to disk. Leftovers of crashed runs there are removed first.
   */
  private Path workDir() throws IOException {
    Path shm = Path.of("/dev/shm");
    if (!Files.isDirectory(shm) || !Files.isWritable(shm)) {
      return tmp;
    }
    try (Stream<Path> old = Files.list(shm)) {
      for (Path p : old.filter(p -> p.getFileName().toString().startsWith("ferry-chaos-")).toList()) {
        String pid = p.getFileName().toString().substring("ferry-chaos-".length());
        if (!pid.matches("\\d+") || ProcessHandle.of(Long.parseLong(pid)).isEmpty()) {
          deleteTree(p);
        }
      }
    }
    Path dir = shm.resolve("ferry-chaos-" + ProcessHandle.current().pid());
    deleteTree(dir);
    return Files.createDirectories(dir);
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
