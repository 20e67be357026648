package io.ferry.hostagent.migration;

import io.ferry.v1.MigrationStrategy;
import java.time.Duration;

/**
 * Decides after each pre-copy round what to do next, from what the round measured. Pure: no clocks, no I/O.
 *
 * <ul>
 *   <li>switch over when the remaining dirty bytes can be sent within the downtime target at the measured
 *   bandwidth;</li>
 *   <li>a round "stalls" when the dirty set shrank by less than 10 % (or the guest dirties faster than the link);</li>
 *   <li>{@code PRE_COPY} gives up after the round limit; {@code AUTO_CONVERGE} raises the guest throttle on each
 *   stalled round (20 %, then +10 % steps, as QEMU) and gives up only at the maximum throttle past the round limit;
 *   {@code AUTO} escalates on the second stalled round to post-copy when allowed, else to auto-converge.</li>
 * </ul>
 */
final class ConvergencePolicy {
  static final double FIRST_THROTTLE = 0.2;
  static final double THROTTLE_STEP = 0.1;
  static final double MAX_THROTTLE = 0.99;

  /** What one round measured. */
  record Round(int round, long remainingBytes, long previousRemainingBytes, double bandwidthBytesPerSecond,
               double dirtyRateBytesPerSecond) {}

  enum Action { CONTINUE, SWITCHOVER, THROTTLE, POST_COPY, GIVE_UP }

  record Decision(Action action, double throttle, MigrationStrategy strategyInUse, String reason) {}

  private final MigrationStrategy requested;
  private final boolean allowPostCopy;
  private final Duration maxDowntime;
  private final int maxRounds;
  private MigrationStrategy inUse;
  private int stalledRounds;
  private double throttle;

  ConvergencePolicy(MigrationStrategy requested, boolean allowPostCopy, Duration maxDowntime, int maxRounds) {
    this.requested = requested;
    this.allowPostCopy = allowPostCopy;
    this.maxDowntime = maxDowntime;
    this.maxRounds = maxRounds;
    this.inUse = requested == MigrationStrategy.AUTO ? MigrationStrategy.PRE_COPY : requested;
  }

  MigrationStrategy strategyInUse() {
    return inUse;
  }

  Decision next(Round r) {
    double budgetBytes = r.bandwidthBytesPerSecond() * maxDowntime.toNanos() / 1e9;
    if (r.remainingBytes() <= budgetBytes) {
      return decide(Action.SWITCHOVER, "remaining " + r.remainingBytes() + " bytes fit the downtime target");
    }
    boolean stalled = r.round() >= 1 && (r.remainingBytes() >= 0.9 * r.previousRemainingBytes()
        || r.dirtyRateBytesPerSecond() >= r.bandwidthBytesPerSecond());
    stalledRounds = stalled ? stalledRounds + 1 : 0;
    if (requested == MigrationStrategy.AUTO && inUse == MigrationStrategy.PRE_COPY
        && (stalledRounds >= 2 || r.round() >= maxRounds)) {
      if (allowPostCopy) {
        inUse = MigrationStrategy.POST_COPY;
        return decide(Action.POST_COPY, "pre-copy stopped converging: switching to post-copy");
      }
      inUse = MigrationStrategy.AUTO_CONVERGE;
    }
    if (inUse == MigrationStrategy.AUTO_CONVERGE) {
      if (stalled && throttle < MAX_THROTTLE) {
        throttle = throttle == 0 ? FIRST_THROTTLE : Math.min(MAX_THROTTLE, throttle + THROTTLE_STEP);
        return decide(Action.THROTTLE, "dirty set not shrinking: throttling guest to "
            + Math.round(throttle * 100) + " %");
      }
      if (throttle >= MAX_THROTTLE && r.round() >= 2L * maxRounds) {
        return decide(Action.GIVE_UP, "auto-converge did not converge after " + r.round()
            + " rounds at the maximum throttle");
      }
      return decide(Action.CONTINUE, "converging");
    }
    if (r.round() >= maxRounds) {
      return decide(Action.GIVE_UP, "pre-copy did not converge after " + r.round() + " rounds: "
          + r.remainingBytes() + " bytes still dirty, " + Math.round(budgetBytes)
          + " bytes fit the downtime target at the measured bandwidth");
    }
    return decide(Action.CONTINUE, "converging");
  }

  private Decision decide(Action a, String reason) {
    return new Decision(a, throttle, inUse, reason);
  }
}
