package io.ferry.hostagent.qemu.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ferry.common.testing.CiTools;
import io.ferry.hostagent.qemu.QemuTestKit;
import io.ferry.hostagent.qemu.launch.QemuLauncher;
import io.ferry.hostagent.qemu.launch.QemuSettings;
import io.ferry.hostagent.qemu.launch.QemuVm;
import io.ferry.v1.DiskSpec;
import io.ferry.v1.VmSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The idle variant of the test guest (the idle benchmarks' guest) passes once over its memory, then stays quiet. */
class IdleTestGuestTest {
  @TempDir
  Path tmp;

  @Test
  void writesItsMemoryOnceThenHalts() throws Exception {
    CiTools.require("qemu-system-x86_64");
    Path image = TestGuest.idleAfterFirstPass(48).writeImage(tmp.resolve("idle.img"));
    VmSpec spec = VmSpec.newBuilder().setName("idle").setVcpus(1).setMemoryBytes(48L << 20).setAccelerator("tcg")
        .setMachine("pc").addDisks(DiskSpec.newBuilder().setPath(image.toString()).setFormat("raw")).build();
    try (QemuLauncher launcher = new QemuLauncher(QemuSettings.defaults(tmp.resolve("run")), Clock.systemUTC())) {
      QemuVm vm = launcher.start(spec);
      try {
        QemuTestKit.awaitMarkers(vm.serialLog(), 0, 1, Duration.ofSeconds(30));
        // the busy guest with no delay passes over 44 MiB many times a second under TCG
        Thread.sleep(3_000);
        String serial = Files.readString(vm.serialLog());
        assertEquals(1, serial.chars().filter(c -> c == TestGuest.MARKER).count(),
            "one pass, then quiet: " + serial);
        assertEquals("running", vm.runState(), "halted with interrupts off is still a running VM to QEMU");
      } finally {
        vm.destroy();
      }
    }
  }
}
