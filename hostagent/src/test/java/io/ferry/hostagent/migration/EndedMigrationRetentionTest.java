package io.ferry.hostagent.migration;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.common.faults.Failpoints;
import io.ferry.common.tickets.TicketVerifier;
import io.ferry.common.tls.TlsMaterial;
import io.ferry.hostagent.hypervisor.VmEventLog;
import io.ferry.hostagent.migration.transfer.Waiter;
import io.ferry.hostagent.sim.SimHypervisor;
import io.ferry.v1.MigrateVmRequest;
import io.ferry.v1.MigrationPhase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An agent runs for months: the migrations it ended are answerable for an hour, and never more than a thousand. */
class EndedMigrationRetentionTest {
  @TempDir
  Path state;

  private final AtomicLong now = new AtomicLong();
  private final java.util.concurrent.atomic.AtomicReference<java.time.Instant> wall =
      new java.util.concurrent.atomic.AtomicReference<>(java.time.Instant.parse("2026-11-27T10:00:00Z"));
  private final Clock wallClock = new Clock() {
    @Override
    public java.time.ZoneId getZone() {
      return java.time.ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public java.time.Instant instant() {
      return wall.get();
    }
  };

  private MigrationEngine engine() throws Exception {
    MigrationSettings settings = new MigrationSettings(64, 64, true, 64L << 20, Duration.ofSeconds(10),
        Duration.ofSeconds(30), Duration.ofMillis(300), 30, Duration.ofMillis(200), now::get, Waiter.PARK,
        UnaryOperator.identity(), Failpoints.NONE, DataChannelOptions.OFF);
    KeyPairGenerator keys = KeyPairGenerator.getInstance("EC");
    keys.initialize(256);
    return new MigrationEngine("src", () -> "localhost:1", SimHypervisor.create("src", state, VmEventLog.inMemory()),
        TlsMaterial.insecurePlainText(), new TicketVerifier(keys.generateKeyPair().getPublic(), "src",
        Clock.systemUTC()), new SimpleMeterRegistry(), wallClock, settings);
  }

  /** A request the engine refuses at once (no such VM here): it ends FAILED as soon as it starts. */
  private static MigrateVmRequest refused(String id) {
    return MigrateVmRequest.newBuilder().setMigrationId(id).setVm("").setDestinationEndpoint("localhost:2").build();
  }

  @Test
  void anEndedMigrationIsAnswerableForAnHourThenForgotten() throws Exception {
    try (MigrationEngine engine = engine()) {
      assertThat(engine.start(refused("m1")).getPhase()).isEqualTo(MigrationPhase.FAILED);
      now.addAndGet(Duration.ofMinutes(59).toNanos());
      engine.start(refused("m2"));
      assertThat(engine.status("m1")).as("59 minutes after it ended").isPresent();

      now.addAndGet(Duration.ofMinutes(2).toNanos());
      engine.start(refused("m3"));
      assertThat(engine.status("m1")).as("61 minutes after it ended").isEmpty();
      assertThat(engine.status("m2")).isPresent();
      assertThat(engine.status("m3")).isPresent();
    }
  }

  @Test
  void theListShowsTheLatestChangeFirstAndAnEndedMigrationKeepsItsTime() throws Exception {
    try (MigrationEngine engine = engine()) {
      engine.start(refused("m1"));
      java.time.Instant m1Ended = wall.get();
      wall.set(m1Ended.plusSeconds(60));
      engine.start(refused("m2"));
      wall.set(m1Ended.plusSeconds(120));

      assertThat(engine.list()).extracting(io.ferry.v1.MigrationStatus::getMigrationId).containsExactly("m2", "m1");
      assertThat(engine.status("m1").orElseThrow().getUpdatedAt().getSeconds())
          .as("an ended migration's time is when it ended, not when it is asked about")
          .isEqualTo(m1Ended.getEpochSecond());
    }
  }

  @Test
  void atMostAThousandEndedMigrationsAreKeptTheOldestGoFirst() throws Exception {
    try (MigrationEngine engine = engine()) {
      for (int i = 0; i < MigrationEngine.KEEP_ENDED + 5; i++) {
        engine.start(refused("m" + i));
        now.incrementAndGet();
      }
      engine.start(refused("last"));
      assertThat(engine.list()).hasSize(MigrationEngine.KEEP_ENDED + 1);
      assertThat(engine.status("m0")).isEmpty();
      assertThat(engine.status("m4")).isEmpty();
      assertThat(engine.status("m5")).isPresent();
      assertThat(engine.status("m" + (MigrationEngine.KEEP_ENDED + 4))).isPresent();
    }
  }
}
