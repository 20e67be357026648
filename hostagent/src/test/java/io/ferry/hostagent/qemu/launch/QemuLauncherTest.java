package io.ferry.hostagent.qemu.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.hostagent.qemu.QemuTestKit;
import io.ferry.v1.VmState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QemuLauncherTest {
  @TempDir Path tmp;
  QemuTestKit kit;

  @AfterEach
  void killQemus() {
    if (kit != null) {
      kit.close();
    }
  }

  @Test
  void bootsTheRawTestGuestAndItPrintsMarkers() {
    kit = new QemuTestKit(tmp, 0);
    QemuVm vm = kit.track(kit.host("a").start(kit.spec("vm1", "a")));
    QemuTestKit.awaitMarkers(vm.serialLog(), 0, 20, Duration.ofSeconds(20));
    assertEquals("tcg", vm.accelerator());
    assertEquals(VmState.VM_RUNNING, vm.state());
    assertTrue(Files.exists(vm.directory().specFile()));
  }

  @Test
  void adoptsARunningVmAfterARestartWithoutRestartingIt() {
    kit = new QemuTestKit(tmp, 0);
    QemuLauncher first = kit.host("a");
    QemuVm vm = kit.track(first.start(kit.spec("vm1", "a")));
    long markers = QemuTestKit.awaitMarkers(vm.serialLog(), 0, 5, Duration.ofSeconds(20));
    first.close(); // the agent goes away; QEMU stays

    QemuLauncher second = kit.host("a");
    List<QemuVm> adopted = second.adopt();

    assertEquals(1, adopted.size());
    QemuVm again = kit.track(adopted.get(0));
    assertEquals(vm.pid(), again.pid());
    assertEquals("vm1", again.name());
    assertEquals(VmState.VM_RUNNING, again.state());
    QemuTestKit.awaitMarkers(again.serialLog(), markers, 5, Duration.ofSeconds(20));
  }

  @Test
  void stopEndsQemuAndRemovesItsRunDirectory() {
    kit = new QemuTestKit(tmp, 0);
    QemuVm vm = kit.track(kit.host("a").start(kit.spec("vm1", "a")));
    vm.stop(Duration.ofMillis(300)); // the test guest ignores ACPI: quit follows
    assertFalse(vm.isAlive());
    assertFalse(Files.exists(vm.directory().dir()));
  }

  @Test
  void refusesAMissingDiskNamingIt() {
    kit = new QemuTestKit(tmp, 0);
    var spec = kit.spec("vm1", "a").toBuilder().setDisks(0,
        io.ferry.v1.DiskSpec.newBuilder().setPath(tmp.resolve("nope.img").toString())).build();
    var e = org.junit.jupiter.api.Assertions.assertThrows(QemuLaunchException.class, () -> kit.host("a").start(spec));
    assertTrue(e.getMessage().contains("nope.img"), e.getMessage());
  }
}
