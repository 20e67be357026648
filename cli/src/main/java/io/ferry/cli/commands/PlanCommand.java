package io.ferry.cli.commands;

import io.ferry.common.FerryException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "plan", mixinStandardHelpOptions = true,
    description = {"Dry-run the planner on a cluster snapshot.",
        "'ferry plan --snapshot FILE --policy FILE [--format json|table]' prints the moves and",
        "power actions the policy would order, each with its reason, without touching anything."})
public final class PlanCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new FerryException("'ferry plan' is not available in this build yet (the planner lands with issue #7)");
  }
}
