package io.ferry.hostagent.signals;

import java.util.function.Function;

/**
 * Parses numbers read from the kernel and refuses what cannot be a reading (text, NaN, infinities, negatives),
 * naming where the bad value came from.
 */
final class Readings {
  private Readings() {}

  static long nonNegativeLong(String text, String where) throws Unavailable {
    return parse(text, where, Long::valueOf);
  }

  static double nonNegativeDouble(String text, String where) throws Unavailable {
    return parse(text, where, Double::valueOf);
  }

  private static <T extends Number> T parse(String text, String where, Function<String, T> parser)
      throws Unavailable {
    T value;
    try {
      value = parser.apply(text.trim());
    } catch (NumberFormatException e) {
      throw invalid(text, where);
    }
    if (!Double.isFinite(value.doubleValue()) || value.doubleValue() < 0) {
      throw invalid(text, where);
    }
    return value;
  }

  static Unavailable invalid(String text, String where) {
    return new Unavailable(Unavailable.Kind.INVALID_READING, "invalid reading in " + where + ": '" + text.trim() + "'");
  }

  static Unavailable malformed(String where, String what) {
    return new Unavailable(Unavailable.Kind.BAD_OUTPUT, "unexpected format in " + where + ": " + what);
  }
}
