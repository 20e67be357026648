package io.ferry.cli.commands;

import io.ferry.common.FerryException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "vm", mixinStandardHelpOptions = true,
    description = {"Start, list and stop VMs.",
        "Through the scheduler: 'ferry vm start --host HOST --spec FILE', 'ferry vm list', 'ferry vm stop VM'.",
        "The VM spec format is documented in docs/vm-spec.md."})
public final class VmCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new FerryException("'ferry vm' is not available in this build yet (VM lifecycle lands with issue #5)");
  }
}
