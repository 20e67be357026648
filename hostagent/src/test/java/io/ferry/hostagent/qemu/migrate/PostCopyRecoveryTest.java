package io.ferry.hostagent.qemu.migrate;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.hostagent.migration.kit.TcpProxy;
import io.ferry.hostagent.qemu.QemuTestKit;
import io.ferry.hostagent.qemu.guest.MemoryConsistency;
import io.ferry.v1.MigrationStrategy;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** A post-copy migration whose stream breaks is resumed while both QEMUs live. */
class PostCopyRecoveryTest extends MigrationTestBase {

  @Test
  void aBrokenPostCopyStreamIsRecovered() throws Exception {
    rig = new MigrationRig(tmp, 0);
    QemuMigrationOptions o = QemuMigrationTest.options(MigrationStrategy.POST_COPY, true, 64L << 20);
    rig.prepareDestination(o, Optional.empty());
    // slow post-copy, so the stream can be cut while it runs
    rig.source.qmp().execute("migrate-set-parameters", Map.of("max-postcopy-bandwidth", 4L << 20),
        MigrationRig.QMP);
    String[] hostPort = rig.destination.uri().split(":");
    try (TcpProxy proxy = new TcpProxy(hostPort[1], Integer.parseInt(hostPort[2]))) {
      QemuMigrationSource source = new QemuMigrationSource(rig.source, Clock.systemUTC(), MigrationRig.QMP);
      boolean[] recovered = new boolean[1];
      CompletableFuture<QemuMigrationResult> result = CompletableFuture.supplyAsync(() -> source.migrate(
          "tcp:127.0.0.1:" + proxy.port(), o, Optional.empty(), Optional.empty(), () -> {
            recovered[0] = true;
            awaitDestinationPaused();
            return Optional.of(rig.destination.recover("127.0.0.1", freePort()));
          }));
      awaitStatus("postcopy-active");
      awaitDestination("postcopy-active");
      QemuTestKit.pause(500); // the destination runs the guest and faults pages in over the stream
      proxy.cut();
      QemuMigrationResult r = result.get(120, java.util.concurrent.TimeUnit.SECONDS);
      assertTrue(recovered[0], "recovery was asked for");
      assertTrue(r.completed(), r.toString());
    }
    assertTrue(rig.destination.awaitRunning(Duration.ofSeconds(10)));
    rig.source.quit(Duration.ofSeconds(5));
    MemoryConsistency.Report report = rig.checkDestinationMemory();
    assertTrue(report.consistent(), report.toString());
    long before = QemuTestKit.countMarkers(rig.destinationVm.serialLog());
    QemuTestKit.awaitMarkers(rig.destinationVm.serialLog(), before, 2, Duration.ofSeconds(20));
  }

  private void awaitStatus(String status) {
    for (int i = 0; i < 1500; i++) {
      if (status.equals(rig.source.qmp().execute("query-migrate", MigrationRig.QMP).path("status").asText())) {
        return;
      }
      QemuTestKit.pause(20);
    }
    throw new AssertionError("source never reached " + status);
  }

  private void awaitDestinationPaused() {
    awaitDestination("postcopy-paused");
  }

  private void awaitDestination(String status) {
    for (int i = 0; i < 500; i++) {
      if (status.equals(rig.destinationVm.qmp().execute("query-migrate", MigrationRig.QMP)
          .path("status").asText())) {
        return;
      }
      QemuTestKit.pause(20);
    }
    throw new AssertionError("destination never reached " + status);
  }

}
