package io.ferry.cli.commands;

import io.ferry.hostagent.signals.SignalsPrinter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "signals", mixinStandardHelpOptions = true,
    description = {"Print what the host samplers see on this machine now.",
        "CPU, memory, temperature, SMART and network; each unavailable signal is shown with its reason",
        "(no sensor, smartctl missing, permission denied). Without --once it repeats every --interval."})
public final class SignalsCommand implements Callable<Integer> {
  @Option(names = "--once", description = "Sample once and exit")
  boolean once;

  @Option(names = "--format", defaultValue = "table", paramLabel = "table|json",
      description = "Output format (default: ${DEFAULT-VALUE})")
  String format;

  @Option(names = "--interval", defaultValue = "5s", converter = DurationConverter.class,
      description = "Time between samples without --once (default: ${DEFAULT-VALUE})")
  Duration interval;

  @Override
  public Integer call() {
    return SignalsPrinter.print(once, format, System.out, interval);
  }
}
