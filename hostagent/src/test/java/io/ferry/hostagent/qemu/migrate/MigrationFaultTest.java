package io.ferry.hostagent.qemu.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.hostagent.qemu.QemuTestKit;
import io.ferry.hostagent.qemu.migrate.QemuMigrationResult.Outcome;
import io.ferry.v1.MigrationStrategy;
import io.ferry.v1.VmState;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Failures before the commit point leave the VM running on the source. */
class MigrationFaultTest extends MigrationTestBase {

  // 4 MiB/s: a 48 MiB guest takes seconds, so the fault lands mid-transfer
  private QemuMigrationSource startSlowMigration(CompletableFuture<QemuMigrationResult>[] result) {
    rig = new MigrationRig(tmp, 0);
    QemuMigrationOptions o = QemuMigrationTest.options(MigrationStrategy.PRE_COPY, false, 4L << 20);
    rig.prepareDestination(o, Optional.empty());
    QemuMigrationSource source = new QemuMigrationSource(rig.source, Clock.systemUTC(), MigrationRig.QMP);
    result[0] = CompletableFuture.supplyAsync(() -> source.migrate(rig.destination.uri(), o, Optional.empty(),
        Optional.empty(), Optional::empty));
    awaitTransferred(1L << 20);
    return source;
  }

  private void awaitTransferred(long bytes) {
    for (int i = 0; i < 300; i++) {
      if (rig.source.qmp().execute("query-migrate", MigrationRig.QMP).path("ram").path("transferred").asLong()
          >= bytes) {
        return;
      }
      QemuTestKit.pause(20);
    }
    throw new AssertionError("the migration never transferred " + bytes + " bytes");
  }

  private void assertSourceStillRuns() {
    assertEquals(VmState.VM_RUNNING, rig.source.state());
    long before = QemuTestKit.countMarkers(rig.source.serialLog());
    QemuTestKit.awaitMarkers(rig.source.serialLog(), before, 5, Duration.ofSeconds(20));
  }

  @Test
  @SuppressWarnings("unchecked")
  void destinationKilledMidTransferLeavesTheVmRunningOnTheSource() {
    CompletableFuture<QemuMigrationResult>[] result = new CompletableFuture[1];
    startSlowMigration(result);
    rig.destinationVm.destroy();

    QemuMigrationResult r = result[0].join();
    assertEquals(Outcome.FAILED, r.outcome(), r.toString());
    assertSourceStillRuns();
  }

  @Test
  @SuppressWarnings("unchecked")
  void cancelDuringTransferResumesTheSourceAndRemovesTheDestination() {
    CompletableFuture<QemuMigrationResult>[] result = new CompletableFuture[1];
    QemuMigrationSource source = startSlowMigration(result);
    source.cancel();

    QemuMigrationResult r = result[0].join();
    assertEquals(Outcome.CANCELLED, r.outcome(), r.toString());
    rig.destination.abort();
    assertFalse(rig.destinationVm.isAlive());
    assertFalse(Files.exists(rig.destinationVm.directory().dir()));
    assertSourceStillRuns();
  }

  @Test
  void timeOutCancelsAndTheSourceKeepsTheVm() {
    rig = new MigrationRig(tmp, 0);
    QemuMigrationOptions o = new QemuMigrationOptions(MigrationStrategy.PRE_COPY, true, Duration.ofMillis(300),
        null, 4L << 20, false, 0, false, false, Duration.ofSeconds(2), null, Duration.ofMillis(50));
    rig.prepareDestination(o, Optional.empty());
    QemuMigrationResult r = rig.migrate(o, Optional.empty(), Optional.empty());
    assertEquals(Outcome.CANCELLED, r.outcome(), r.toString());
    assertTrue(r.reason().contains("timed out"), r.reason());
    rig.destination.abort();
    assertSourceStillRuns();
  }
}
