package io.ferry.cli.commands;

import io.ferry.benchmarks.MigrationBenchmark;
import io.ferry.benchmarks.PlannerBenchmark;
import io.ferry.benchmarks.QemuIdleBenchmark;
import io.ferry.benchmarks.QemuMigrationBenchmark;
import io.ferry.benchmarks.SignalsBenchmark;
import io.ferry.benchmarks.ingest.IngestBenchmark;
import io.ferry.benchmarks.report.BenchReport;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"Run benchmarks and write docs/benchmarks.md.",
        "Each benchmark rewrites its own section of the report and prints its figures as JSON.",
        "Available: signals, migration, qemu, ingest, planner, all (each rewrites its own section)."})
public final class BenchCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "NAME", description = "Benchmark to run: signals or all")
  String name;

  @Option(names = "--runs", defaultValue = "0", description = "Runs per migration cell (default: the benchmark's own, 10)")
  int runs;

  @Option(names = "--quick", description = "Smaller sizes and fewer runs (a smoke run; figures not for the report)")
  boolean quick;

  @Option(names = "--out", paramLabel = "FILE",
      description = "Report to update (default: docs/benchmarks.md of this checkout)")
  Path out;

  @Override
  public Integer call() throws Exception {
    Path report = out != null ? out : defaultReport();
    boolean all = name.equals("all");
    if (!all && !java.util.Set.of("signals", "ingest", "planner", "migration", "qemu").contains(name)) {
      throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
          "unknown benchmark '" + name + "': use signals, migration, qemu, ingest, planner or all");
    }
    if (all || name.equals("signals")) {
      SignalsBenchmark.Result r = SignalsBenchmark.run();
      BenchReport.write(report, "signals", r.markdownSection());
      System.out.println(r.json());
    }
    if (all || name.equals("planner")) {
      PlannerBenchmark.Result r = PlannerBenchmark.run(true);
      BenchReport.write(report, "planner", PlannerBenchmark.markdown(r));
      System.out.println(PlannerBenchmark.json(r));
    }
    if (all || name.equals("migration")) {
      MigrationBenchmark.Options o = quick ? MigrationBenchmark.Options.quick() : MigrationBenchmark.Options.full();
      MigrationBenchmark.Result r = MigrationBenchmark.run(runs > 0 ? o.withRuns(runs, runs) : o);
      BenchReport.write(report, "migration", r.markdownSection());
      System.out.println(r.json());
    }
    if (all || name.equals("qemu")) {
      java.nio.file.Path work = java.nio.file.Files.createTempDirectory("ferry-bench-qemu");
      var rows = QemuMigrationBenchmark.run(QemuMigrationBenchmark.Options.defaults(work));
      QemuIdleBenchmark.Result idle = QemuIdleBenchmark.run(quick
          ? new QemuIdleBenchmark.Options(256, 4, work.resolve("idle"))
          : QemuIdleBenchmark.Options.defaults(work.resolve("idle")));
      BenchReport.write(report, "qemu", "## QEMU: Ferry's auto strategy vs QEMU's defaults\n\n"
          + "The project's test guest (it dirties every page of its memory in a loop) on TCG, migrated between two QEMU\n"
          + "processes over loopback with the link capped by max-bandwidth; once at a dirty rate below the link and once\n"
          + "above it. Ferry `auto` sets the downtime target, raises it in steps when remaining RAM stops shrinking, then\n"
          + "switches to post-copy; QEMU defaults is a plain `migrate` with default parameters, given up after 60 s.\n"
          + "Downtime is QEMU's reported figure. All rows come from the same run.\n\n"
          + QemuMigrationBenchmark.markdown(rows)
          + "\n### An idle guest through the agents\n\n"
          + "The same guest, idle after its first pass (every page written once), migrated back and forth between two\n"
          + "agents by Ferry's engine (ticket, prepare, QEMU's stream over TLS, confirm, commit), pre-copy with a 50 ms\n"
          + "downtime target and a 120 s time-out per migration (one that times out rolls back, counts as not\n"
          + "committed, and the next run starts where the VM runs). Guest-visible downtime: QEMU's STOP event on the\n"
          + "source to its RESUME event on the destination (QEMU's timestamps; the guest's vCPUs run nowhere in\n"
          + "between); percentiles over committed runs. Target: p50 under 50 ms.\n\n"
          + idle.markdown());
      System.out.println(QemuMigrationBenchmark.json(rows));
      System.out.println(idle.json());
    }
    if (all || name.equals("ingest")) {
      IngestBenchmark.Result r = IngestBenchmark.run(new int[] {1_000, 10_000}, 5.0, 20);
      BenchReport.write(report, "ingest", r.markdownSection());
      System.out.println(r.json());
    }
    System.err.println("ferry bench: updated " + report);
    return 0;
  }

  static Path defaultReport() {
    String home = System.getenv("FERRY_HOME");
    return Path.of(home != null ? home : ".", "docs", "benchmarks.md");
  }
}
