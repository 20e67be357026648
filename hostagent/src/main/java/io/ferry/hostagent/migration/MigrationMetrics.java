package io.ferry.hostagent.migration;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.ferry.v1.MigrationStats;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/** The agent's migration meters (see docs/metrics.md, "Agent: migration"). */
final class MigrationMetrics {
  private final MeterRegistry registry;
  private final AtomicInteger inFlight = new AtomicInteger();

  /** How a transfer stream reaches its destination. */
  enum Transport {
    /** Its own TLS connection to the destination's data channel. */
    DATA_CHANNEL,
    /** A {@code MigrationPeer.Transfer} call (destinations that do not offer a data channel). */
    GRPC;

    String tag() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  MigrationMetrics(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("ferry.migrations.in.flight", inFlight, AtomicInteger::get)
        .description("Outgoing migrations this agent is running").register(registry);
    for (Transport t : Transport.values()) {
      streams(t);
    }
  }

  void streamsOpened(Transport transport, int n) {
    streams(transport).increment(n);
  }

  private Counter streams(Transport transport) {
    return Counter.builder("ferry.migration.streams").description("Transfer streams opened by outgoing"
        + " migrations, by transport").tag("transport", transport.tag()).register(registry);
  }

  void started() {
    inFlight.incrementAndGet();
  }

  void finished(String strategy, String result, MigrationStats stats) {
    inFlight.decrementAndGet();
    Counter.builder("ferry.migrations").description("Outgoing migrations by result and strategy")
        .tag("result", result).tag("strategy", strategy).register(registry).increment();
    Timer.builder("ferry.migration.duration").description("Total time of outgoing migrations")
        .publishPercentileHistogram().tag("strategy", strategy).register(registry).record(toDuration(stats.getTotal()));
    if (stats.hasDowntime()) {
      Timer.builder("ferry.migration.downtime").description("Guest-visible pause of committed migrations")
          .publishPercentileHistogram().minimumExpectedValue(java.time.Duration.ofMillis(1))
          .maximumExpectedValue(java.time.Duration.ofSeconds(10)).tag("strategy", strategy).register(registry).record(toDuration(stats.getDowntime()));
    }
    bytes("ram", stats.getBytesRam());
    bytes("disk", stats.getBytesDisk());
    bytes("other", stats.getBytesTotal() - stats.getBytesRam() - stats.getBytesDisk());
  }

  private void bytes(String kind, long n) {
    if (n > 0) {
      Counter.builder("ferry.migration.bytes").description("Bytes sent by outgoing migrations")
          .tag("kind", kind).register(registry).increment(n);
    }
  }

  private static Duration toDuration(com.google.protobuf.Duration d) {
    return Duration.ofSeconds(d.getSeconds(), d.getNanos());
  }
}
