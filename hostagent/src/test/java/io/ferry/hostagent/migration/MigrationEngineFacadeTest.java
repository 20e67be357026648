package io.ferry.hostagent.migration;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.hostagent.migration.kit.LoopbackAgents;
import io.ferry.v1.MigrateVmRequest;
import io.ferry.v1.MigrationPhase;
import io.ferry.v1.MigrationStrategy;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the agent process relies on: idempotent start, status, list, request validation. */
class MigrationEngineFacadeTest {
  @TempDir Path dir;

  @Test
  void startIsIdempotentAndStatusTracksTheMigration() throws Exception {
    try (LoopbackAgents hosts = new LoopbackAgents(dir)) {
      hosts.startOnSource(LoopbackAgents.spec("vm", 8, 0, "uniform"));
      MigrateVmRequest r = hosts.request("vm", MigrationStrategy.AUTO, LoopbackAgents.limits().build());

      var first = hosts.src.engine.start(r);
      var again = hosts.src.engine.start(r);
      hosts.src.engine.outcome(r.getMigrationId()).orElseThrow().get(60, TimeUnit.SECONDS);

      assertThat(again.getMigrationId()).isEqualTo(first.getMigrationId());
      var status = hosts.src.engine.status(r.getMigrationId()).orElseThrow();
      assertThat(status.getPhase()).isEqualTo(MigrationPhase.COMMITTED);
      assertThat(status.getVm()).isEqualTo("vm");
      assertThat(status.getSourceHost()).isEqualTo("src");
      assertThat(status.getStats().getBytesRam()).isPositive();
      assertThat(hosts.src.engine.list()).extracting(s -> s.getMigrationId()).containsExactly(r.getMigrationId());
      assertThat(hosts.src.engine.busy()).isFalse();
    }
  }

  @Test
  void refusesARequestWhoseTicketIsForAnotherMigration() throws Exception {
    try (LoopbackAgents hosts = new LoopbackAgents(dir)) {
      hosts.startOnSource(LoopbackAgents.spec("vm", 8, 0, "uniform"));
      MigrateVmRequest r = hosts.request("vm", MigrationStrategy.PRE_COPY, LoopbackAgents.limits().build());
      MigrateVmRequest other = hosts.request("vm", MigrationStrategy.PRE_COPY, LoopbackAgents.limits().build());

      hosts.src.engine.start(r.toBuilder().setTicket(other.getTicket()).build());
      MigrationOutcome o = hosts.src.engine.outcome(r.getMigrationId()).orElseThrow().get(10, TimeUnit.SECONDS);

      assertThat(o.result()).isEqualTo(MigrationPhase.FAILED);
      assertThat(o.reason()).contains("ticket is for migration");
    }
  }

  @Test
  void unknownVmFailsWithAReason() throws Exception {
    try (LoopbackAgents hosts = new LoopbackAgents(dir)) {
      MigrateVmRequest r = hosts.request("ghost", MigrationStrategy.PRE_COPY, LoopbackAgents.limits().build());
      MigrationOutcome o = hosts.migrate(r);
      assertThat(o.result()).isEqualTo(MigrationPhase.FAILED);
      assertThat(o.reason()).contains("ghost").contains("not running on src");
    }
  }
}
