package io.ferry.hostagent.migration;

import io.ferry.hostagent.migration.codec.EncodeCounters;
import io.ferry.v1.MigrateVmRequest;
import io.ferry.v1.MigrationStats;

/**
 * What every phase of one outgoing migration shares: the engine, the request, its progress and counters, and
 * whether to stop (cancelled, or past the request's timeout).
 */
record SourceContext(EngineContext engine, MigrateVmRequest request, MigrationProgress progress, TransferTally tally,
                     EncodeCounters counters, long deadlineNanos) {

  static SourceContext of(EngineContext engine, MigrateVmRequest request, MigrationProgress progress) {
    var timeout = request.getLimits().getTimeout();
    long timeoutNanos = request.getLimits().hasTimeout() ? timeout.getSeconds() * 1_000_000_000L + timeout.getNanos()
        : 0;
    return new SourceContext(engine, request, progress, new TransferTally(), new EncodeCounters(),
        timeoutNanos > 0 ? progress.startNanos() + timeoutNanos : Long.MAX_VALUE);
  }

  String migrationId() {
    return request.getMigrationId();
  }

  boolean stopRequested() {
    return progress.cancelReason() != null || engine.nanos() > deadlineNanos;
  }

  String stopReason() {
    String c = progress.cancelReason();
    return c != null ? "cancelled: " + c : "timed out after " + request.getLimits().getTimeout().getSeconds() + " s";
  }

  /** Counters so far. */
  MigrationStats stats() {
    return progress.stats(tally, counters);
  }
}
