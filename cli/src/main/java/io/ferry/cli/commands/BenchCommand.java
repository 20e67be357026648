package io.ferry.cli.commands;

import io.ferry.common.FerryException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"Run benchmarks and write docs/benchmarks.md.",
        "'ferry bench signals|migration|qemu|ingest|planner|all'."})
public final class BenchCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new FerryException("'ferry bench' is not available in this build yet (benchmarks land with issues #3, #4, #6, #7, #9)");
  }
}
