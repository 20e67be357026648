package io.ferry.hostagent.sim;

import java.util.SplittableRandom;

/**
 * Chooses which page a sim vCPU dirties next: {@code uniform} over all pages, {@code hot} within a working set
 * at the start of memory, or a {@code sequential} sweep. Page 0 holds the progress counter and is never picked.
 */
final class PagePicker {
  enum Pattern {
    UNIFORM, HOT, SEQUENTIAL;

    static Pattern parse(String s) {
      if (s == null || s.isBlank()) {
        return UNIFORM;
      }
      return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
        case "uniform" -> UNIFORM;
        case "hot" -> HOT;
        case "sequential" -> SEQUENTIAL;
        default -> throw new IllegalArgumentException("unknown sim workload pattern '" + s
            + "': use uniform, hot or sequential");
      };
    }
  }

  private final Pattern pattern;
  private final long firstPage;
  private final long span;
  private final SplittableRandom random;
  private long cursor;

  PagePicker(Pattern pattern, long pageCount, double hotSetRatio, long seed, long cursor) {
    this.pattern = pattern;
    this.firstPage = 1;
    long usable = Math.max(1, pageCount - 1);
    double ratio = hotSetRatio > 0 && hotSetRatio <= 1 ? hotSetRatio : 0.1;
    this.span = pattern == Pattern.HOT ? Math.max(1, (long) (usable * ratio)) : usable;
    this.random = new SplittableRandom(seed);
    this.cursor = cursor;
  }

  long next() {
    if (span <= 0) {
      return 0;
    }
    if (pattern == Pattern.SEQUENTIAL) {
      long p = firstPage + cursor % span;
      cursor++;
      return p;
    }
    return firstPage + random.nextLong(span);
  }

  /** Sweep position, part of the vCPU state migrated with the device state. */
  long cursor() {
    return cursor;
  }
}
