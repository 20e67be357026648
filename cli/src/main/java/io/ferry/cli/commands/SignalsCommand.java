package io.ferry.cli.commands;

import io.ferry.common.FerryException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "signals", mixinStandardHelpOptions = true,
    description = {"Print what the host samplers see on this machine now.",
        "CPU, memory, temperature, SMART, network; each unavailable signal with its reason. '--once', '--format json|table'."})
public final class SignalsCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new FerryException("'ferry signals' is not available in this build yet (the samplers land with issue #3)");
  }
}
