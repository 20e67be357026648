package io.ferry.cli;

import io.ferry.common.FerryException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import picocli.CommandLine;

/** Turns every failure into one line that says what is wrong and what to do; stack traces only with --verbose. */
final class Errors {
  private Errors() {}

  static final class UsageHandler implements CommandLine.IParameterExceptionHandler {
    @Override
    public int handleParseException(CommandLine.ParameterException ex, String[] args) {
      CommandLine cmd = ex.getCommandLine();
      PrintWriter err = cmd.getErr();
      String message = ex.getMessage();
      if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()
          && cmd.getCommandSpec().subcommands().size() > 0 && !u.getUnmatched().get(0).startsWith("-")) {
        message = "unknown command '" + u.getUnmatched().get(0) + "'";
      }
      err.println(cmd.getCommandSpec().qualifiedName() + ": " + message);
      CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
      err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for usage.");
      err.flush();
      return 2;
    }
  }

  static final class FailureHandler implements CommandLine.IExecutionExceptionHandler {
    private final boolean verbose;

    FailureHandler(boolean verbose) {
      this.verbose = verbose;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, CommandLine.ParseResult parsed) {
      PrintWriter err = cmd.getErr();
      err.println(cmd.getCommandSpec().qualifiedName() + ": " + describe(ex));
      if (verbose) {
        ex.printStackTrace(err);
      } else if (!(ex instanceof FerryException) && !(ex instanceof StatusRuntimeException)) {
        err.println("(run with --verbose for the stack trace)");
      }
      err.flush();
      return 1;
    }
  }

  static String describe(Throwable ex) {
    if (ex instanceof FerryException) {
      return ex.getMessage();
    }
    if (ex instanceof StatusRuntimeException s) {
      Status st = s.getStatus();
      String d = st.getDescription() == null ? "" : st.getDescription();
      return switch (st.getCode()) {
        case UNAVAILABLE -> "scheduler unavailable: " + (d.isEmpty() ? "connection failed" : d);
        case DEADLINE_EXCEEDED -> "the scheduler did not answer in time: " + d;
        case UNIMPLEMENTED -> "the scheduler does not support this request yet: " + d;
        case UNAUTHENTICATED, PERMISSION_DENIED -> "refused: " + d + " (check --certs)";
        default -> st.getCode().name().toLowerCase().replace('_', ' ') + ": " + d;
      };
    }
    String m = ex.getMessage();
    return "unexpected error: " + ex.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }
}
