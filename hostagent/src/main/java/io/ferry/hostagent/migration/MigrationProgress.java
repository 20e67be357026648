package io.ferry.hostagent.migration;

import io.ferry.hostagent.migration.codec.EncodeCounters;
import io.ferry.v1.MigrateVmRequest;
import io.ferry.v1.MigrationPhase;
import io.ferry.v1.MigrationStats;
import io.ferry.v1.MigrationStatus;
import io.ferry.v1.MigrationStrategy;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/** The observable state of one outgoing migration: phase, strategy in use, counters, outcome. Thread-safe. */
final class MigrationProgress {
  private final MigrateVmRequest request;
  private final String sourceHost;
  private final Clock clock;
  private final LongSupplier ticker;
  private final long startNanos;
  private final MigrationMetrics metrics;
  private final CompletableFuture<MigrationOutcome> outcome = new CompletableFuture<>();
  private volatile MigrationPhase phase = MigrationPhase.PLANNED;
  private volatile MigrationStrategy strategyInUse;
  private volatile String message = "planned";
  private volatile String cancelReason;
  private volatile int rounds;
  private volatile long remainingBytes;
  private volatile double dirtyRateBytesPerSecond;
  private volatile Duration downtime;
  private volatile long endNanos;
  private volatile MigrationStats finalStats;
  /** When phase, strategy or outcome last changed: the status's {@code updated_at}. */
  private volatile java.time.Instant changedAt;
  private volatile java.util.function.LongSupplier faults = () -> 0;

  MigrationProgress(MigrateVmRequest request, String sourceHost, Clock clock, LongSupplier ticker,
                    MigrationMetrics metrics) {
    this.request = request;
    this.sourceHost = sourceHost;
    this.clock = clock;
    this.ticker = ticker;
    this.startNanos = ticker.getAsLong();
    this.metrics = metrics;
    this.changedAt = clock.instant();
    MigrationStrategy s = request.getStrategy();
    this.strategyInUse = s == MigrationStrategy.AUTO || s == MigrationStrategy.STRATEGY_UNSPECIFIED
        ? MigrationStrategy.PRE_COPY : s;
  }

  long startNanos() {
    return startNanos;
  }

  CompletableFuture<MigrationOutcome> outcome() {
    return outcome;
  }

  /** The ticker's reading when the migration ended; meaningful once {@link #outcome()} is done. */
  long endNanos() {
    return endNanos;
  }

  void phase(MigrationPhase p, String msg) {
    phase = p;
    message = msg;
    changedAt = clock.instant();
  }

  MigrationPhase phase() {
    return phase;
  }

  void strategyInUse(MigrationStrategy s) {
    strategyInUse = s;
    changedAt = clock.instant();
  }

  void round(int n, long remaining, double dirtyRate) {
    rounds = n;
    remainingBytes = remaining;
    dirtyRateBytesPerSecond = dirtyRate;
  }

  void downtime(Duration d) {
    downtime = d;
  }

  void faults(LongSupplier f) {
    faults = f;
  }

  /** Requests cancellation; honoured at the next safe point before the destination runs the VM. */
  void cancel(String reason) {
    if (cancelReason == null) {
      cancelReason = reason == null || reason.isBlank() ? "cancelled by request" : reason;
    }
  }

  String cancelReason() {
    return cancelReason;
  }

  MigrationStats stats(TransferTally tally, EncodeCounters counters) {
    long end = endNanos != 0 ? endNanos : ticker.getAsLong();
    double seconds = Math.max(1e-9, (end - startNanos) / 1e9);
    MigrationStats.Builder b = MigrationStats.newBuilder()
        .setTotal(duration(Duration.ofNanos(end - startNanos)))
        .setBytesTotal(tally.totalBytes()).setBytesRam(tally.ramBytes.sum()).setBytesDisk(tally.diskBytes.sum())
        .setPagesZeroSkipped(counters.zeroUnitsSkipped.sum()).setBytesDeltaEncoded(counters.deltaBytes.sum())
        .setRounds(rounds).setDirtyRateBytesPerSecond(dirtyRateBytesPerSecond)
        .setPostCopyFaults(faults.getAsLong())
        .setThroughputBytesPerSecond(tally.totalBytes() / seconds);
    Duration d = downtime;
    if (d != null) {
      b.setDowntime(duration(d));
    }
    return b.build();
  }

  void finish(MigrationOutcome o, MigrationStats stats) {
    endNanos = ticker.getAsLong();
    finalStats = stats;
    phase = o.result();
    message = o.reason();
    changedAt = clock.instant();
    metrics.finished(strategyLabel(), o.result().name().toLowerCase(java.util.Locale.ROOT), stats);
    outcome.complete(new MigrationOutcome(o.result(), o.reason(), stats));
  }

  private String strategyLabel() {
    MigrationStrategy s = request.getStrategy() == MigrationStrategy.STRATEGY_UNSPECIFIED ? MigrationStrategy.AUTO
        : request.getStrategy();
    return s.name().toLowerCase(java.util.Locale.ROOT);
  }

  MigrationStatus status(long totalBytes, MigrationStats liveStats) {
    MigrationStats s = finalStats != null ? finalStats : liveStats;
    return MigrationStatus.newBuilder().setMigrationId(request.getMigrationId()).setVm(request.getVm())
        .setSourceHost(sourceHost).setDestinationHost(request.getDestinationHost()).setPhase(phase)
        .setStrategy(request.getStrategy()).setStrategyInUse(strategyInUse).setTotalBytes(totalBytes)
        .setRemainingBytes(remainingBytes).setStats(s).setMessage(message)
        .setUpdatedAt(Wire.timestamp(changedAt)).build();
  }

  static com.google.protobuf.Duration duration(Duration d) {
    return com.google.protobuf.Duration.newBuilder().setSeconds(d.getSeconds()).setNanos(d.getNano()).build();
  }
}
