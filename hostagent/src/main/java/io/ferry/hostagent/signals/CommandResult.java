package io.ferry.hostagent.signals;

import java.time.Duration;

/**
 * What happened when a command ran: it completed with an exit code and output, was not installed, could not
 * start, or was killed after its time-out.
 */
public record CommandResult(Outcome outcome, int exitCode, String stdout, String detail) {
  /** How the command ended. */
  public enum Outcome { COMPLETED, NOT_INSTALLED, FAILED_TO_START, TIMED_OUT }

  public CommandResult {
    stdout = stdout == null ? "" : stdout;
    detail = detail == null ? "" : detail;
  }

  public static CommandResult completed(int exitCode, String stdout) {
    return new CommandResult(Outcome.COMPLETED, exitCode, stdout, "");
  }

  public static CommandResult notInstalled(String program) {
    return new CommandResult(Outcome.NOT_INSTALLED, -1, "", program + " not installed");
  }

  public static CommandResult failedToStart(String program, String why) {
    return new CommandResult(Outcome.FAILED_TO_START, -1, "", "cannot run " + program + ": " + why);
  }

  public static CommandResult timedOut(String program, Duration timeout) {
    return new CommandResult(Outcome.TIMED_OUT, -1, "", program + " timed out after " + Durations.format(timeout));
  }

  public boolean completed() {
    return outcome == Outcome.COMPLETED;
  }
}
