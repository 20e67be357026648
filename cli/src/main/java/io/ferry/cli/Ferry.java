package io.ferry.cli;

import io.ferry.cli.commands.AgentCommand;
import io.ferry.cli.commands.BenchCommand;
import io.ferry.cli.commands.CertsCommand;
import io.ferry.cli.commands.DrainCommand;
import io.ferry.cli.commands.MigrateCommand;
import io.ferry.cli.commands.PlanCommand;
import io.ferry.cli.commands.PolicyCommand;
import io.ferry.cli.commands.SchedulerCommand;
import io.ferry.cli.commands.SignalsCommand;
import io.ferry.cli.commands.StatusCommand;
import io.ferry.cli.commands.UpCommand;
import io.ferry.cli.commands.VmCommand;
import io.ferry.cli.commands.ZkCommand;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The one {@code ferry} command. Each role and tool is a subcommand. */
@Command(name = "ferry", mixinStandardHelpOptions = true, versionProvider = Ferry.Version.class,
    description = "Hands-off live VM migration for KVM clusters.",
    subcommands = {UpCommand.class, ZkCommand.class, SchedulerCommand.class, AgentCommand.class,
        StatusCommand.class, PlanCommand.class, PolicyCommand.class, DrainCommand.class, MigrateCommand.class,
        VmCommand.class, CertsCommand.class, SignalsCommand.class, BenchCommand.class,
        CommandLine.HelpCommand.class},
    footer = {"", "Run 'ferry up' for a local cluster, then 'ferry status'. Docs: docs/ARCHITECTURE.md"})
public final class Ferry implements Runnable {
  /** Long-running roles log at INFO; client commands keep their output clean. */
  private static final Set<String> SERVER_ROLES = Set.of("up", "zk", "scheduler", "agent");

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @CommandLine.Option(names = {"-v", "--verbose"}, scope = CommandLine.ScopeType.INHERIT,
      description = "More logging; stack traces on errors")
  boolean verbose;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand");
  }

  public static void main(String[] args) {
    int code;
    try {
      code = run(args);
    } catch (Throwable t) {
      // An Error escaped picocli (a bug or a broken installation): still exit, never hang half-started.
      System.err.println("ferry: internal error: " + t);
      code = 1;
    }
    System.exit(code);
  }

  /** Runs the CLI and returns its exit code (0 ok, 1 failure, 2 usage error). */
  public static int run(String... args) {
    return run(new java.io.PrintWriter(System.out, true), new java.io.PrintWriter(System.err, true), args);
  }

  /** As {@link #run(String...)}, with picocli's own output (help, errors) going to the given writers. */
  public static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
    boolean verbose = false;
    for (String a : args) {
      verbose |= a.equals("--verbose") || a.equals("-v");
    }
    if (args.length == 0 || !SERVER_ROLES.contains(args[0])) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", verbose ? "info" : "warn");
      System.setProperty("org.slf4j.simpleLogger.log.org.apache.helix", verbose ? "warn" : "error");
      System.setProperty("org.slf4j.simpleLogger.log.org.apache.zookeeper", verbose ? "warn" : "error");
    }
    CommandLine cl = newCommandLine(verbose);
    cl.setOut(out);
    cl.setErr(err);
    return cl.execute(args);
  }

  static CommandLine newCommandLine(boolean verbose) {
    CommandLine cl = new CommandLine(new Ferry());
    cl.setParameterExceptionHandler(new Errors.UsageHandler());
    cl.setExecutionExceptionHandler(new Errors.FailureHandler(verbose));
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    return cl;
  }

  /** Version from the jar manifest. */
  public static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Ferry.class.getPackage().getImplementationVersion();
      return new String[] {"ferry " + (v == null ? "development build" : v)};
    }
  }
}
