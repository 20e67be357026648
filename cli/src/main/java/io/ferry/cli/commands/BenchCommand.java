package io.ferry.cli.commands;

import io.ferry.benchmarks.PlannerBenchmark;
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
        "Available: signals, ingest, planner, all."})
public final class BenchCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "NAME", description = "Benchmark to run: signals or all")
  String name;

  @Option(names = "--out", paramLabel = "FILE",
      description = "Report to update (default: docs/benchmarks.md of this checkout)")
  Path out;

  @Override
  public Integer call() throws Exception {
    Path report = out != null ? out : defaultReport();
    boolean all = name.equals("all");
    if (!all && !java.util.Set.of("signals", "ingest", "planner").contains(name)) {
      throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
          "unknown benchmark '" + name + "': use signals, ingest, planner or all");
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
