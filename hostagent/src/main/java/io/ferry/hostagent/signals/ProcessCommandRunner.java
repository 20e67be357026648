package io.ferry.hostagent.signals;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Runs real processes with a time-out. Output goes to a temporary file rather than a pipe so a chatty program
 * cannot block on a full pipe while we wait, and no reader thread is needed; a program that outlives its time-out
 * is killed together with its children.
 */
final class ProcessCommandRunner implements CommandRunner {
  @Override
  public CommandResult run(List<String> command, Duration timeout) {
    String program = command.get(0);
    Path output = null;
    Process process = null;
    try {
      output = Files.createTempFile("ferry-cmd", ".out");
      process = new ProcessBuilder(command)
          .redirectOutput(output.toFile())
          .redirectError(ProcessBuilder.Redirect.to(new File("/dev/null")))
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        kill(process);
        return CommandResult.timedOut(program, timeout);
      }
      return CommandResult.completed(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    } catch (IOException e) {
      String message = String.valueOf(e.getMessage());
      if (process == null && message.toLowerCase(Locale.ROOT).contains("no such file")) {
        return CommandResult.notInstalled(program);
      }
      return CommandResult.failedToStart(program, message);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill(process);
      return CommandResult.failedToStart(program, "interrupted while waiting");
    } finally {
      if (output != null) {
        try {
          Files.deleteIfExists(output);
        } catch (IOException ignored) {
          // a leftover temp file is harmless; the next run uses a new name
        }
      }
    }
  }

  private static void kill(Process process) {
    if (process == null) {
      return;
    }
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      // reap it, so a caller told "timed out" never sees the program still alive
      process.waitFor(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
