package io.ferry.hostagent.qemu.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.common.testing.TestCerts;
import io.ferry.hostagent.qemu.QemuTestKit;
import io.ferry.hostagent.qemu.guest.MemoryConsistency;
import io.ferry.v1.MigrationStrategy;
import java.nio.file.Path;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Real QEMU-to-QEMU migrations of the test guest over loopback (TCG). */
class QemuMigrationTest extends MigrationTestBase {
  // ~3 passes a second over 43 MiB: pre-copy converges at the bandwidth below
  static final long SLOW_GUEST = 300_000_000L;
  static final long MiB = 1 << 20;


  static QemuMigrationOptions options(MigrationStrategy s, boolean postCopy, long bandwidth) {
    return new QemuMigrationOptions(s, true, Duration.ofMillis(300), Duration.ofSeconds(2), bandwidth, postCopy, 0,
        false, false, Duration.ofSeconds(60), Duration.ofSeconds(1), Duration.ofMillis(50));
  }

  private void assertRunsOnDestination(QemuMigrationResult r) {
    assertTrue(r.completed(), r.toString());
    assertTrue(rig.destination.awaitRunning(Duration.ofSeconds(10)), "destination runs the guest");
    rig.source.quit(Duration.ofSeconds(5));
    assertFalse(rig.source.isAlive(), "source QEMU is gone");
    MemoryConsistency.Report report = rig.checkDestinationMemory();
    assertTrue(report.consistent(), report.toString());
    long before = QemuTestKit.countMarkers(rig.destinationVm.serialLog());
    QemuTestKit.awaitMarkers(rig.destinationVm.serialLog(), before, 2, Duration.ofSeconds(20));
  }

  @Test
  void preCopyMovesAConsistentRunningGuest() {
    rig = new MigrationRig(tmp, SLOW_GUEST);
    QemuMigrationOptions o = options(MigrationStrategy.PRE_COPY, false, 512 * MiB);
    rig.prepareDestination(o, Optional.empty());
    QemuMigrationResult r = rig.migrate(o, Optional.empty(), Optional.empty());
    assertRunsOnDestination(r);
    assertTrue(r.stats().getBytesRam() > 0);
    assertTrue(r.stats().getRounds() >= 1);
    assertTrue(r.stats().hasReportedDowntime());
  }

  @Test
  void postCopyMovesAGuestThatNeverConverges() {
    rig = new MigrationRig(tmp, 0);
    QemuMigrationOptions o = options(MigrationStrategy.POST_COPY, true, 256 * MiB);
    rig.prepareDestination(o, Optional.empty());
    QemuMigrationResult r = rig.migrate(o, Optional.empty(), Optional.empty());
    assertRunsOnDestination(r);
    assertEquals(MigrationStrategy.POST_COPY, r.strategyInUse());
  }

  @Test
  void autoRaisesTheDowntimeLimitThenFinishes() {
    rig = new MigrationRig(tmp, 0);
    QemuMigrationOptions o = options(MigrationStrategy.AUTO, true, 64 * MiB);
    rig.prepareDestination(o, Optional.empty());
    QemuMigrationResult r = rig.migrate(o, Optional.empty(), Optional.empty());
    assertRunsOnDestination(r);
    assertTrue(r.notes().stream().anyMatch(n -> n.contains("downtime limit raised")), r.notes().toString());
  }

  @Test
  void tlsMigrationWithTheClusterCertificates() {
    rig = new MigrationRig(tmp, SLOW_GUEST);
    TestCerts.create(createDirectories(tmp.resolve("certs")), "ferry-test");
    Path qemuTls = MigrationTls.writeQemuDirectory(tmp.resolve("certs"), tmp.resolve("qemu-tls"));
    QemuMigrationOptions o = options(MigrationStrategy.PRE_COPY, false, 512 * MiB).withTls(true);
    rig.prepareDestination(o, Optional.of(qemuTls));
    QemuMigrationResult r = rig.migrate(o, Optional.of(qemuTls), Optional.empty());
    assertRunsOnDestination(r);
  }

  private static Path createDirectories(Path dir) {
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
