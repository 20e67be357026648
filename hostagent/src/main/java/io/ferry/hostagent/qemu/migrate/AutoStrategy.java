package io.ferry.hostagent.qemu.migrate;

import java.time.Duration;
import java.time.Instant;

/**
 * The decisions of Ferry's {@code AUTO} strategy, fed one {@code query-migrate} sample at a time (pure: no QMP, the
 * time comes with the sample). When the remaining RAM has not shrunk by 10 % within the stall window, it first
 * doubles the downtime limit (up to the maximum), then asks for post-copy if allowed; without post-copy it leaves the
 * work to QEMU's auto-converge throttling, which the options switched on.
 */
final class AutoStrategy {
  /** What the driver should do after a sample. */
  sealed interface Action {
    record None() implements Action {}

    record RaiseDowntime(Duration limit) implements Action {}

    record StartPostCopy() implements Action {}
  }

  private final Duration maxDowntime;
  private final Duration stallWindow;
  private final boolean postCopy;
  private Duration downtime;
  private long bestRemaining = Long.MAX_VALUE;
  private Instant windowStart;
  private boolean postCopyStarted;

  AutoStrategy(Duration initialDowntime, Duration maxDowntime, Duration stallWindow, boolean postCopy) {
    this.downtime = initialDowntime;
    this.maxDowntime = maxDowntime;
    this.stallWindow = stallWindow;
    this.postCopy = postCopy;
  }

  Action sample(Instant now, long remainingBytes, long rounds) {
    if (postCopyStarted || rounds < 1) {
      return new Action.None();
    }
    if (windowStart == null || remainingBytes < bestRemaining * 0.9) {
      bestRemaining = Math.min(bestRemaining, remainingBytes);
      windowStart = now;
      return new Action.None();
    }
    bestRemaining = Math.min(bestRemaining, remainingBytes);
    if (Duration.between(windowStart, now).compareTo(stallWindow) < 0) {
      return new Action.None();
    }
    windowStart = now;
    if (downtime.compareTo(maxDowntime) < 0) {
      downtime = downtime.multipliedBy(2).compareTo(maxDowntime) > 0 ? maxDowntime : downtime.multipliedBy(2);
      return new Action.RaiseDowntime(downtime);
    }
    if (postCopy) {
      postCopyStarted = true;
      return new Action.StartPostCopy();
    }
    return new Action.None();
  }
}
