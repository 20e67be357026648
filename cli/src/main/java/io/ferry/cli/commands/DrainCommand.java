package io.ferry.cli.commands;

import io.ferry.common.FerryException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "drain", mixinStandardHelpOptions = true,
    description = {"Drain a host for maintenance.",
        "Evacuate every VM within the migration limits, then mark the host",
        "in maintenance mode. 'ferry drain --undo HOST' returns it to normal."})
public final class DrainCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new FerryException("'ferry drain' is not available in this build yet (the migration executor lands with issue #6)");
  }
}
