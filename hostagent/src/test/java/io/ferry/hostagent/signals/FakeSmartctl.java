package io.ferry.hostagent.signals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A smartctl that replays fixture output: one answer for the scan and one per device. */
final class FakeSmartctl implements CommandRunner {
  static final String SCAN = "--scan-open";
  private final Map<String, CommandResult> answers = new HashMap<>();
  final List<List<String>> calls = new ArrayList<>();

  /** Answers {@code smartctl ... DEVICE} (or the scan, for {@link #SCAN}) with a fixture and an exit status. */
  FakeSmartctl answer(String deviceOrScan, int exitStatus, String fixture) {
    try {
      String output = Files.readString(FixtureHost.fixture("smartctl/" + fixture));
      return answer(deviceOrScan, CommandResult.completed(exitStatus, output));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  FakeSmartctl answer(String deviceOrScan, CommandResult result) {
    answers.put(deviceOrScan, result);
    return this;
  }

  @Override
  public CommandResult run(List<String> command, Duration timeout) {
    calls.add(command);
    String key = command.contains(SCAN) ? SCAN : command.get(command.size() - 1);
    return answers.getOrDefault(key, CommandResult.completed(1, ""));
  }
}
