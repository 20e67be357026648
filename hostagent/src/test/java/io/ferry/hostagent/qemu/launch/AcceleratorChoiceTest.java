package io.ferry.hostagent.qemu.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AcceleratorChoiceTest {
  @TempDir Path tmp;

  @Test
  void autoPicksTcgWhenKvmIsUsableButNotTrusted() throws Exception {
    Path kvm = Files.createFile(tmp.resolve("kvm"));
    assertEquals("tcg", AcceleratorChoice.choose("auto", false, kvm).accelerator());
  }

  @Test
  void autoPicksKvmOnlyWhenUsableAndTrusted() throws Exception {
    Path kvm = Files.createFile(tmp.resolve("kvm"));
    assertEquals("kvm", AcceleratorChoice.choose("auto", true, kvm).accelerator());
    assertEquals("tcg", AcceleratorChoice.choose("", true, tmp.resolve("absent")).accelerator());
  }

  @Test
  void explicitKvmWithoutADeviceIsRefused() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> AcceleratorChoice.choose("kvm", true, tmp.resolve("absent")));
    assertEquals(true, e.getMessage().contains("not usable"));
  }

  @Test
  void unknownAcceleratorIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> AcceleratorChoice.choose("hvf", false, tmp));
  }
}
