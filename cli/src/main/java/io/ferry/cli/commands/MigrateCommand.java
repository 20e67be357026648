package io.ferry.cli.commands;

import io.ferry.common.FerryException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "migrate", mixinStandardHelpOptions = true,
    description = {"Migrate one VM, or cancel a migration.",
        "'ferry migrate VM --to HOST [--strategy auto|pre-copy|post-copy|auto-converge]',",
        "or cancel one in flight: 'ferry migrate --cancel ID'. The leader journals, limits and fences it."})
public final class MigrateCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new FerryException("'ferry migrate' is not available in this build yet (the migration executor lands with issue #6)");
  }
}
