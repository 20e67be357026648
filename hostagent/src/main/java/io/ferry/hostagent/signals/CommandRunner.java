package io.ferry.hostagent.signals;

import java.time.Duration;
import java.util.List;

/**
 * Runs an external program (smartctl, qemu) and always returns: a program that is missing, fails to start or
 * runs past its time-out comes back as a {@link CommandResult} saying so, never as an exception.
 * Injectable so tests replay recorded output instead of needing the tool and the hardware.
 */
@FunctionalInterface
public interface CommandRunner {
  CommandResult run(List<String> command, Duration timeout);

  /** Runs real processes. */
  static CommandRunner processes() {
    return new ProcessCommandRunner();
  }
}
