package io.ferry.hostagent.qemu.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ferry.v1.VmSpec;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class VmSpecFilesTest {
  static final Path BASE = Path.of("/srv/vms");

  @Test
  void readsTheDocumentedExample() {
    VmSpec s = VmSpecFiles.parse("""
        name: web-1
        vcpus: 2
        memoryMiB: 64
        cpuModel: qemu64
        machine: pc
        accelerator: tcg
        disks:
          - path: images/test-guest.img
            format: raw
          - path: /var/lib/ferry/data.qcow2
            format: qcow2
        networks:
          - type: user
        labels:
          team: web
        options:
          serialLog: /tmp/web-1.serial
        """, "web-1.yaml", BASE);
    assertEquals("web-1", s.getName());
    assertEquals(64L << 20, s.getMemoryBytes());
    assertEquals("/srv/vms/images/test-guest.img", s.getDisks(0).getPath());
    assertEquals("qcow2", s.getDisks(1).getFormat());
    assertEquals("user", s.getNetworks(0).getType());
    assertEquals("web", s.getLabelsMap().get("team"));
    assertEquals("/tmp/web-1.serial", s.getOptionsMap().get("serialLog"));
  }

  @Test
  void readsTheSimWorkload() {
    VmSpec s = VmSpecFiles.parse("""
        name: busy
        memoryMiB: 512
        disks: [{path: /x.img, sizeBytes: 1048576}]
        sim:
          cpuCores: 0.5
          dirtyMiBps: 8
          pattern: hot
          hotSetRatio: 0.1
          memoryTouchedMiB: 256
          diskWriteMiBps: 1.5
        """, "busy.yaml", BASE);
    assertEquals(0.5, s.getSim().getCpuDemandCores());
    assertEquals(8.0 * (1 << 20), s.getSim().getDirtyRateBytesPerSecond());
    assertEquals("hot", s.getSim().getPattern());
    assertEquals(0.1, s.getSim().getHotSetRatio());
    assertEquals(256L << 20, s.getSim().getMemoryTouchedBytes());
    assertEquals(1.5 * (1 << 20), s.getSim().getDiskWriteBytesPerSecond());
  }

  @Test
  void namesTheLineOfABadSimField() {
    var e = assertThrows(VmSpecException.class, () -> VmSpecFiles.parse("""
        name: a
        memoryMiB: 64
        disks: [{path: /x.img}]
        sim:
          dirtyMiBps: 8
          memoryTouchedMiB: 128
        """, "a.yaml", BASE));
    assertEquals("a.yaml:6: sim.memoryTouchedMiB must be between 0 and 64, got 128", e.getMessage());
    var p = assertThrows(VmSpecException.class, () -> VmSpecFiles.parse("""
        name: a
        memoryMiB: 64
        disks: [{path: /x.img}]
        sim: {pattern: random}
        """, "a.yaml", BASE));
    assertEquals("a.yaml:4: sim.pattern must be uniform, hot or sequential, got 'random'", p.getMessage());
  }

  @Test
  void readsJsonToo() {
    VmSpec s = VmSpecFiles.parse("{\"name\": \"a\", \"memoryBytes\": 33554432, \"disks\": [{\"path\": \"/x.img\"}]}",
        "a.json", BASE);
    assertEquals(32L << 20, s.getMemoryBytes());
    assertEquals("auto", s.getAccelerator());
  }

  @Test
  void namesFileAndLineOfAnUnknownField() {
    var e = assertThrows(VmSpecException.class, () -> VmSpecFiles.parse("""
        name: a
        memoryMiB: 64
        disks:
          - path: /x.img
            fromat: raw
        """, "a.yaml", BASE));
    assertEquals("a.yaml:5: unknown field 'fromat' (allowed: format, path, readOnly, sizeBytes)", e.getMessage());
  }

  @Test
  void namesTheLineOfABadAccelerator() {
    var e = assertThrows(VmSpecException.class, () -> VmSpecFiles.parse("""
        name: a
        memoryMiB: 64
        accelerator: hvf
        disks: [{path: /x.img}]
        """, "a.yaml", BASE));
    assertEquals("a.yaml:3: accelerator must be kvm, tcg or auto, got 'hvf'", e.getMessage());
  }

  @Test
  void refusesBothMemoryFields() {
    var e = assertThrows(VmSpecException.class, () -> VmSpecFiles.parse("""
        name: a
        memoryMiB: 64
        memoryBytes: 67108864
        disks: [{path: /x.img}]
        """, "a.yaml", BASE));
    assertEquals("a.yaml:3: give exactly one of memoryMiB and memoryBytes", e.getMessage());
  }

  @Test
  void reportsBrokenYamlWithItsLine() {
    var e = assertThrows(VmSpecException.class, () -> VmSpecFiles.parse("name: a\ndisks: [\n", "a.yaml", BASE));
    assertEquals(true, e.getMessage().startsWith("a.yaml:"), e.getMessage());
  }
}
