package io.ferry.hostagent.signals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostFilesTest {
  @TempDir Path root;

  @Test
  void permissionDeniedNamesTheHostPath() {
    // Tests run as root, which chmod cannot deny: the reader simulates what an unprivileged agent meets.
    HostFiles files = HostFiles.at(root).withReader(file -> {
      throw new AccessDeniedException(file.toString());
    });

    Unavailable e = catchThrowableOfType(Unavailable.class, () -> files.read("/proc/meminfo"));

    assertThat(e.reason()).isEqualTo("permission denied: /proc/meminfo");
    assertThat(e.kind()).isEqualTo(Unavailable.Kind.PERMISSION_DENIED);
  }

  @Test
  void directoryWhereAFileBelongsIsUnreadable() throws Exception {
    Files.createDirectories(root.resolve("proc/stat"));

    Unavailable e = catchThrowableOfType(Unavailable.class, () -> HostFiles.at(root).read("/proc/stat"));

    assertThat(e.kind()).isEqualTo(Unavailable.Kind.UNREADABLE);
    assertThat(e.reason()).startsWith("cannot read /proc/stat");
  }

  @Test
  void listingAMissingDirectoryIsEmpty() {
    assertThat(HostFiles.at(root).list("/sys/class/hwmon", "hwmon")).isEmpty();
  }

  @Test
  void permissionDeniedOnOneSignalLeavesTheOthersReadable() {
    FixtureHost host = new FixtureHost(root).put("/proc/meminfo", "proc/2-core/meminfo")
        .put("/proc/stat", "proc/2-core/stat-t0").put("/proc/loadavg", "proc/2-core/loadavg");
    HostFiles files = host.files().withReader(file -> {
      if (file.endsWith("proc/stat")) {
        throw new AccessDeniedException(file.toString());
      }
      return Files.readString(file);
    });

    assertThat(new CpuSampler(files, host.availability).sample().getStatus().getReason())
        .isEqualTo("permission denied: /proc/stat");
    assertThat(new MemorySampler(files, host.availability).sample().getStatus().getAvailable()).isTrue();
    assertThat(host.unavailableCount("cpu", "permission_denied")).isEqualTo(1);
  }
}
