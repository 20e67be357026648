package io.ferry.hostagent.qemu.migrate;

import io.ferry.hostagent.qemu.QemuTestKit;
import io.ferry.hostagent.qemu.guest.MemoryConsistency;
import io.ferry.hostagent.qemu.launch.QemuLauncher;
import io.ferry.hostagent.qemu.launch.QemuVm;
import io.ferry.v1.VmSpec;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/** Two "hosts" on loopback: a running source VM and, on demand, a destination waiting for it. */
final class MigrationRig implements AutoCloseable {
  static final Duration QMP = Duration.ofSeconds(10);

  final QemuTestKit kit;
  final QemuLauncher hostA;
  final QemuLauncher hostB;
  final QemuVm source;
  QemuVm destinationVm;
  QemuMigrationDestination destination;

  MigrationRig(Path tmp, long delayLoops, UnaryOperator<VmSpec> specEdit) {
    kit = new QemuTestKit(tmp, delayLoops);
    hostA = kit.host("a");
    hostB = kit.host("b");
    source = kit.track(hostA.start(specEdit.apply(kit.spec("vm1", "a"))));
    QemuTestKit.awaitMarkers(source.serialLog(), 0, 2, Duration.ofSeconds(30));
  }

  MigrationRig(Path tmp, long delayLoops) {
    this(tmp, delayLoops, s -> s);
  }

  QemuMigrationDestination prepareDestination(QemuMigrationOptions o, Optional<Path> tls, VmSpec spec) {
    destinationVm = kit.track(hostB.startIncoming(spec));
    destination = QemuMigrationDestination.listen(destinationVm, o, "127.0.0.1", 0, tls, QMP);
    return destination;
  }

  QemuMigrationDestination prepareDestination(QemuMigrationOptions o, Optional<Path> tls) {
    return prepareDestination(o, tls, kit.spec("vm1", "b"));
  }

  QemuMigrationResult migrate(QemuMigrationOptions o, Optional<Path> tls, Optional<NbdExport> storage) {
    return new QemuMigrationSource(source, Clock.systemUTC(), QMP).migrate(destination.uri(), o, tls, storage,
        Optional::empty);
  }

  /** Stops the destination guest, dumps the test range, checks it and lets the guest run on. */
  MemoryConsistency.Report checkDestinationMemory() {
    Path dump = kit.root().resolve("dump-" + System.nanoTime() + ".bin");
    long start = kit.guest().startBytes();
    destinationVm.qmp().execute("stop", QMP);
    destinationVm.qmp().execute("pmemsave", Map.of("val", start, "size", kit.guest().endBytes() - start,
        "filename", dump.toString()), QMP);
    destinationVm.qmp().execute("cont", QMP);
    return MemoryConsistency.check(dump, start);
  }

  @Override
  public void close() {
    kit.close();
  }
}
