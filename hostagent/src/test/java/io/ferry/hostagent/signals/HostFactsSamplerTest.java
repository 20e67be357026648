package io.ferry.hostagent.signals;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.v1.HostFacts;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostFactsSamplerTest {
  @TempDir Path root;

  @Test
  void readsCpuMemoryKernelAndQemuVersion() {
    FixtureHost host = new FixtureHost(root).put("/proc/cpuinfo", "proc/64-core/cpuinfo")
        .put("/proc/meminfo", "proc/64-core/meminfo")
        .put("/proc/sys/kernel/osrelease", "proc/64-core/osrelease")
        .put("/proc/sys/kernel/hostname", "proc/64-core/hostname");
    CommandRunner qemu = (command, timeout) -> CommandResult.completed(0,
        "QEMU emulator version 7.2.15 (Debian 1:7.2+dfsg-7+deb12u12)\nCopyright (c) 2003-2022 Fabrice Bellard\n");

    HostFacts facts = new HostFactsSampler(host.files(), qemu).sample();

    assertThat(facts.getName()).isEqualTo("kvm-64");
    assertThat(facts.getCpuModel()).isEqualTo("Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz");
    assertThat(facts.getCpuCores()).isEqualTo(64);
    assertThat(facts.getCpuFeaturesList()).contains("vmx", "avx2", "avx512f").doesNotHaveDuplicates();
    assertThat(facts.getMemoryBytes()).isEqualTo(263855128L * 1024);
    assertThat(facts.getKernel()).isEqualTo("6.1.0-27-amd64");
    assertThat(facts.getHypervisor()).isEqualTo("qemu");
    assertThat(facts.getHypervisorVersion()).isEqualTo("7.2.15");
  }

  @Test
  void missingFilesAndQemuReadAsUnavailable() {
    HostFacts facts = new HostFactsSampler(HostFiles.at(root),
        (command, timeout) -> CommandResult.notInstalled(command.get(0))).sample();

    assertThat(facts.getCpuModel()).isEqualTo("unavailable");
    assertThat(facts.getKernel()).isEqualTo("unavailable");
    assertThat(facts.getHypervisorVersion()).isEqualTo("unavailable");
    assertThat(facts.getCpuCores()).isZero();
    assertThat(facts.getMemoryBytes()).isZero();
  }
}
