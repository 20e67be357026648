package io.ferry.cli.commands;

import io.ferry.common.FerryException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "policy", mixinStandardHelpOptions = true,
    description = {"Check and apply policy files.",
        "'ferry policy check FILE...' validates (all errors, as file:line:column),",
        "'ferry policy apply FILE' validates and stores a new version in ZooKeeper for every replica."})
public final class PolicyCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new FerryException("'ferry policy' is not available in this build yet (the policy language lands with issue #7)");
  }
}
