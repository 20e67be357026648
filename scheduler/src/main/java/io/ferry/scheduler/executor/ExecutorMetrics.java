package io.ferry.scheduler.executor;

import io.ferry.v1.MigrationPhase;
import io.ferry.v1.MigrationStats;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Supplier;

/** The executor's metrics (see docs/metrics.md, "Scheduler: migrations"). Labels stay bounded: no migration ids. */
final class ExecutorMetrics {
  private final MeterRegistry registry;

  ExecutorMetrics(MeterRegistry registry, Supplier<Number> unfinished, Supplier<Number> queued) {
    this.registry = registry;
    Gauge.builder("ferry_migrations_in_flight", unfinished).description("Migrations journaled and not finished")
        .register(registry);
    Gauge.builder("ferry_executor_queue", queued).description("Migrations waiting for a concurrency slot")
        .register(registry);
    // Series exist from the start at 0, so increase() and alerts see the first failure.
    for (String reason : new String[] {"balance", "consolidate", "evacuate-temperature", "evacuate-smart", "drain",
        "manual"}) {
      for (String result : new String[] {"committed", "rolled_back", "failed"}) {
        Counter.builder("ferry_migrations_finished_total").description("Migrations ended, by reason and result")
            .tag("reason", reason).tag("result", result).register(registry);
      }
      Counter.builder("ferry_migrations_started_total").description("Migrations journaled, by reason")
          .tag("reason", reason).register(registry);
    }
  }

  void started(String reason) {
    Counter.builder("ferry_migrations_started_total").description("Migrations journaled, by reason")
        .tag("reason", reason).register(registry).increment();
  }

  void finished(String reason, MigrationPhase phase, MigrationStats stats) {
    String result = phase.name().toLowerCase(Locale.ROOT);
    Counter.builder("ferry_migrations_finished_total").description("Migrations ended, by reason and result")
        .tag("reason", reason).tag("result", result).register(registry).increment();
    if (phase == MigrationPhase.COMMITTED) {
      Timer.builder("ferry_migration_duration_seconds").description("Total time of committed migrations")
          .publishPercentileHistogram().tag("reason", reason).register(registry)
          .record(Duration.ofSeconds(stats.getTotal().getSeconds(), stats.getTotal().getNanos()));
      Timer.builder("ferry_migration_downtime_seconds").description("Guest-visible pause of committed migrations")
          .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
          .maximumExpectedValue(Duration.ofSeconds(10)).tag("reason", reason).register(registry)
          .record(Duration.ofSeconds(stats.getDowntime().getSeconds(), stats.getDowntime().getNanos()));
      DistributionSummary.builder("ferry_migration_transferred_bytes").baseUnit("bytes")
          .description("Bytes sent per committed migration").publishPercentileHistogram().tag("reason", reason)
          .register(registry).record(stats.getBytesTotal());
    }
  }
}
