package io.ferry.hostagent.migration;

import io.ferry.hostagent.hypervisor.PageAccess;
import io.ferry.hostagent.hypervisor.VirtualMachine;
import io.ferry.v1.MigrationLimits;
import io.ferry.v1.MigrationStrategy;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pre-copy phase of an outgoing migration: sends every page and block while the VM runs, then what the guest
 * dirtied meanwhile, round after round, measuring the link and the dirty rate, until the {@link ConvergencePolicy}
 * says to switch over (or go post-copy), throttles the guest, or gives up.
 */
final class PreCopyRounds {
  private static final Logger log = LoggerFactory.getLogger(PreCopyRounds.class);

  /** How pre-copy ended: units left to send at the switchover, or why the migration stops here. */
  record Next(DirtySet remaining, boolean postCopy, String stopReason) {
    static Next switchover(DirtySet remaining, boolean postCopy) {
      return new Next(remaining, postCopy, null);
    }

    static Next stop(String reason) {
      return new Next(null, false, reason);
    }

    boolean stopped() {
      return stopReason != null;
    }
  }

  private final SourceContext sc;
  private final VirtualMachine vm;
  private final PageAccess access;
  private final OutgoingTransfer transfer;
  private final ConvergencePolicy policy;

  PreCopyRounds(SourceContext sc, VirtualMachine vm, PageAccess access, OutgoingTransfer transfer) {
    this.sc = sc;
    this.vm = vm;
    this.access = access;
    this.transfer = transfer;
    MigrationLimits limits = sc.request().getLimits();
    MigrationSettings settings = sc.engine().settings();
    Duration maxDowntime = limits.hasMaxDowntime() && (limits.getMaxDowntime().getSeconds() > 0
        || limits.getMaxDowntime().getNanos() > 0)
        ? Duration.ofSeconds(limits.getMaxDowntime().getSeconds(), limits.getMaxDowntime().getNanos())
        : settings.defaultMaxDowntime();
    int maxRounds = limits.getMaxRounds() > 0 ? limits.getMaxRounds() : settings.defaultMaxRounds();
    this.policy = new ConvergencePolicy(strategy(), limits.getAllowPostCopy(), maxDowntime, maxRounds);
  }

  private MigrationStrategy strategy() {
    MigrationStrategy s = sc.request().getStrategy();
    return s == MigrationStrategy.STRATEGY_UNSPECIFIED ? MigrationStrategy.AUTO : s;
  }

  Next run() {
    DirtySet.snapshot(access);
    DirtySet toSend = DirtySet.everything(access);
    if (sc.request().getStrategy() == MigrationStrategy.POST_COPY) {
      sc.progress().strategyInUse(MigrationStrategy.POST_COPY);
      return Next.switchover(toSend, true);
    }
    long previousRemaining = Long.MAX_VALUE;
    double bandwidth = 0;
    for (int round = 0; ; round++) {
      long t0 = sc.engine().nanos();
      long wire0 = sc.tally().totalBytes();
      String failure = transfer.send(toSend, round, true);
      if (failure != null) {
        return Next.stop(failure);
      }
      double seconds = Math.max(1e-6, (sc.engine().nanos() - t0) / 1e9);
      long wire = sc.tally().totalBytes() - wire0;
      // the link's speed, measured on rounds big enough not to be dominated by latency
      if (wire >= (1 << 20) || bandwidth == 0) {
        bandwidth = Math.max(wire, 1) / seconds;
      }
      toSend = DirtySet.snapshot(access);
      long remaining = toSend.bytes(access);
      sc.progress().round(round + 1, remaining, remaining / seconds);
      log.debug("migration {} round {}: {} wire bytes in {} s, {} bytes dirty", sc.migrationId(), round, wire,
          seconds, remaining);
      ConvergencePolicy.Decision d = policy.next(new ConvergencePolicy.Round(round, remaining, previousRemaining,
          bandwidth, remaining / seconds));
      sc.progress().strategyInUse(d.strategyInUse());
      switch (d.action()) {
        case SWITCHOVER:
          return Next.switchover(toSend, false);
        case POST_COPY:
          log.info("migration {}: {}", sc.migrationId(), d.reason());
          return Next.switchover(toSend, true);
        case GIVE_UP:
          return Next.stop(d.reason());
        case THROTTLE:
          log.info("migration {}: {}", sc.migrationId(), d.reason());
          vm.throttle(d.throttle());
          break;
        default:
          break;
      }
      previousRemaining = remaining;
    }
  }
}
