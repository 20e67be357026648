package io.ferry.hostagent.signals;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ferry.v1.SmartSignal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessCommandRunnerTest {
  @TempDir Path dir;
  final CommandRunner runner = CommandRunner.processes();

  private Path script(String name, String body) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    return file;
  }

  @Test
  void returnsOutputAndExitStatus() throws Exception {
    Path smartctl = script("smartctl", "echo '{\"devices\": []}'; exit 72");

    CommandResult result = runner.run(List.of(smartctl.toString(), "--scan-open"), Duration.ofSeconds(10));

    assertThat(result.outcome()).isEqualTo(CommandResult.Outcome.COMPLETED);
    assertThat(result.exitCode()).isEqualTo(72);
    assertThat(result.stdout()).isEqualTo("{\"devices\": []}\n");
  }

  @Test
  void missingProgramIsNotInstalled() {
    CommandResult result = runner.run(List.of(dir.resolve("smartctl").toString()), Duration.ofSeconds(10));

    assertThat(result.outcome()).isEqualTo(CommandResult.Outcome.NOT_INSTALLED);
    assertThat(result.detail()).endsWith("smartctl not installed");
  }

  @Test
  void hangingProgramIsKilledAfterTheTimeout() throws Exception {
    Path pidFile = dir.resolve("pid");
    Path smartctl = script("smartctl", "echo $$ > " + pidFile + "; sleep 30");
    long start = System.nanoTime();

    CommandResult result = runner.run(List.of(smartctl.toString()), Duration.ofMillis(300));

    assertThat(result.outcome()).isEqualTo(CommandResult.Outcome.TIMED_OUT);
    assertThat(result.detail()).endsWith("smartctl timed out after 300ms");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    long pid = Long.parseLong(Files.readString(pidFile).trim());
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
  }

  @Test
  void hangingSmartctlLeavesTheSmartSignalUnavailableWithTheReason() throws Exception {
    Path smartctl = script("smartctl", "sleep 30");
    // Sends "smartctl" to the hanging fake instead of the real program.
    CommandRunner fake = (command, timeout) -> {
      List<String> redirected = new ArrayList<>(command);
      redirected.set(0, smartctl.toString());
      return runner.run(redirected, timeout);
    };
    SignalAvailability availability = new SignalAvailability(new SimpleMeterRegistry());

    SmartSignal signal = new SmartSampler(fake, Duration.ofMillis(200), Clock.systemUTC(), availability).sample();

    assertThat(signal.getStatus().getAvailable()).isFalse();
    assertThat(signal.getStatus().getReason()).isEqualTo(smartctl + " timed out after 200ms");
  }
}
