package io.ferry.hostagent.qemu.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.hostagent.qemu.QemuTestKit;
import io.ferry.hostagent.qemu.launch.QemuVm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpuCompatibilityTest {
  @TempDir Path tmp;

  @Test
  void refusesADestinationLackingAFeatureAndNamesIt() throws Exception {
    Path cpuinfo = tmp.resolve("cpuinfo");
    Files.writeString(cpuinfo, """
        processor\t: 0
        model name\t: Old Xeon
        flags\t\t: fpu sse sse2 ssse3 sse4_1
        """);
    HostCpu old = CpuProbe.fromCpuinfo(cpuinfo, "7.2.0");
    CpuCompatibility.Verdict v = CpuCompatibility.check("vm-7", List.of("sse4.2", "avx2", "sse2"), old, "host-b");
    assertFalse(v.compatible());
    assertEquals(List.of("avx2", "sse4-2"), v.missingFeatures());
    assertEquals("cannot migrate VM vm-7 to host-b: its CPU lacks avx2, sse4-2 (needed by the VM's CPU model)",
        v.message());
  }

  @Test
  void acceptsADestinationWithEveryFeature() {
    HostCpu cpu = new HostCpu("x", Set.of("sse4_2", "avx2"), "");
    assertTrue(CpuCompatibility.check("vm", List.of("SSE4.2"), cpu, "b").compatible());
  }

  @Test
  void qemuExpansionOfAModernModelIsRefusedOnAnOldModelsHost() {
    try (QemuTestKit kit = new QemuTestKit(tmp, 0)) {
      QemuVm vm = kit.track(kit.host("a").start(kit.spec("probe", "a")));
      Duration t = Duration.ofSeconds(10);
      // A "host" whose QEMU offers only what the old Nehalem model has; the VM wants Haswell-noTSX's features.
      HostCpu nehalemHost = CpuProbe.fromQemu(vm.qmp(), "Nehalem", t);
      Set<String> haswell = CpuProbe.enabledFeatures(vm.qmp(), "Haswell-noTSX", t);
      CpuCompatibility.Verdict v = CpuCompatibility.check("vm1", haswell, nehalemHost, "host-b");
      assertFalse(v.compatible());
      assertTrue(v.missingFeatures().contains("avx2"), v.message());
      assertTrue(v.message().contains("avx2"), v.message());
    }
  }
}
