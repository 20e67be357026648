package io.ferry.cli.commands;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Parses durations the way policy files write them: {@code 500ms}, {@code 10s}, {@code 3m}, {@code 1h} (and
 * {@code 100us} for the few settings that need less than a millisecond).
 */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
  private static final Pattern P = Pattern.compile("(\\d+)(us|ms|s|m|h)");

  @Override
  public Duration convert(String value) {
    Matcher m = P.matcher(value.trim());
    if (!m.matches()) {
      throw new CommandLine.TypeConversionException("'" + value + "' is not a duration: use e.g. 500ms, 10s, 3m, 1h");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "us" -> Duration.ofNanos(n * 1_000);
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofHours(n);
    };
  }
}
