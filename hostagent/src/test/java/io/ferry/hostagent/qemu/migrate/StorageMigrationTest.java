package io.ferry.hostagent.qemu.migrate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.hostagent.qemu.QemuTestKit;
import io.ferry.v1.DiskSpec;
import io.ferry.v1.MigrationStrategy;
import io.ferry.v1.VmSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Migration without shared storage: the boot disk is mirrored over NBD to an empty image on the destination. */
class StorageMigrationTest extends MigrationTestBase {
  static final QemuMigrationOptions OPTIONS =
      QemuMigrationTest.options(MigrationStrategy.PRE_COPY, false, 512L << 20);
  Path sourceImage;
  Path emptyImage;

  /** A running source and a destination exporting an empty image of the boot disk's size over NBD. */
  private NbdExport prepareStorageDestination() throws Exception {
    rig = new MigrationRig(tmp, QemuMigrationTest.SLOW_GUEST);
    sourceImage = Path.of(rig.source.spec().getDisks(0).getPath());
    emptyImage = tmp.resolve("b-vm1-empty.img");
    Files.write(emptyImage, new byte[(int) Files.size(sourceImage)]);
    VmSpec destSpec = rig.source.spec().toBuilder()
        .setDisks(0, DiskSpec.newBuilder().setPath(emptyImage.toString()).setFormat("raw")).build();
    rig.prepareDestination(OPTIONS, Optional.empty(), destSpec);
    return StorageMirror.export(rig.destinationVm, "127.0.0.1", freePort(), false, MigrationRig.QMP);
  }

  @Test
  void mirrorsTheDiskThenMigratesRam() throws Exception {
    NbdExport export = prepareStorageDestination();

    QemuMigrationResult r = rig.migrate(OPTIONS, Optional.empty(), Optional.of(export));

    assertTrue(r.completed(), r.toString());
    assertTrue(rig.destination.awaitRunning(Duration.ofSeconds(10)));
    StorageMirror.stopExport(rig.destinationVm, MigrationRig.QMP);
    rig.source.quit(Duration.ofSeconds(5));
    assertTrue(r.stats().getBytesDisk() > 0, r.stats().toString());
    assertArrayEquals(Arrays.copyOf(Files.readAllBytes(sourceImage), 512),
        Arrays.copyOf(Files.readAllBytes(emptyImage), 512), "the boot sector reached the destination disk");
    long before = QemuTestKit.countMarkers(rig.destinationVm.serialLog());
    QemuTestKit.awaitMarkers(rig.destinationVm.serialLog(), before, 2, Duration.ofSeconds(20));
  }

  @Test
  void cancelWhileTheDisksAreMirroredLeavesTheVmOnTheSource() throws Exception {
    NbdExport export = prepareStorageDestination();
    QemuMigrationSource source = new QemuMigrationSource(rig.source, java.time.Clock.systemUTC(),
        MigrationRig.QMP);
    source.cancel(); // before the mirror is ready: the earliest phase

    QemuMigrationResult r = source.migrate(rig.destination.uri(), OPTIONS, Optional.empty(), Optional.of(export),
        Optional::empty);

    assertEquals(QemuMigrationResult.Outcome.CANCELLED, r.outcome(), r.toString());
    rig.destination.abort();
    assertEquals(io.ferry.v1.VmState.VM_RUNNING, rig.source.state());
    long before = QemuTestKit.countMarkers(rig.source.serialLog());
    QemuTestKit.awaitMarkers(rig.source.serialLog(), before, 2, Duration.ofSeconds(20));
  }
}
