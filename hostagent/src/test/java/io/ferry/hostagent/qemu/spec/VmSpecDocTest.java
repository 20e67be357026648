package io.ferry.hostagent.qemu.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.hostagent.qemu.QemuTestKit;
import io.ferry.hostagent.qemu.guest.TestGuest;
import io.ferry.hostagent.qemu.launch.QemuVm;
import io.ferry.v1.VmSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example in docs/vm-spec.md parses and its raw boot image boots. */
class VmSpecDocTest {
  @TempDir Path tmp;

  @Test
  void theDocumentedExampleBoots() throws Exception {
    String doc = Files.readString(Path.of("../docs/vm-spec.md"));
    int start = doc.indexOf("```yaml\n", doc.indexOf("## Example")) + "```yaml\n".length();
    String yaml = doc.substring(start, doc.indexOf("```", start));
    Files.writeString(tmp.resolve("web-1.yaml"), yaml);
    TestGuest.forMemory(64, 0).writeImage(tmp.resolve("test-guest.img"));

    VmSpec spec = VmSpecFiles.parse(tmp.resolve("web-1.yaml"));
    assertEquals("web-1", spec.getName());
    try (QemuTestKit kit = new QemuTestKit(tmp.resolve("hosts"), 0)) {
      Files.createDirectories(kit.root());
      QemuVm vm = kit.track(kit.host("a").start(spec));
      assertEquals(tmp.resolve("web-1.serial"), vm.serialLog());
      assertTrue(QemuTestKit.awaitMarkers(vm.serialLog(), 0, 3, Duration.ofSeconds(20)) >= 3);
    }
  }
}
