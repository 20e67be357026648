package io.ferry.benchmarks.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchReportTest {
  @TempDir Path dir;

  @Test
  void aBalloonWithFreePageReportingIsNamedFromItsFeatureBits() throws Exception {
    Path driver = dir.resolve("virtio_balloon");
    Files.createDirectories(driver.resolve("virtio0"));
    // the features file lists bits from 0; bit 5 is VIRTIO_BALLOON_F_REPORTING
    Files.writeString(driver.resolve("virtio0/features"), "0110000000000000\n");
    assertThat(BenchReport.reportsFreePages(driver)).as("bit 5 off").isFalse();

    Files.writeString(driver.resolve("virtio0/features"), "0110010100000000\n");
    assertThat(BenchReport.reportsFreePages(driver)).as("bit 5 on").isTrue();

    assertThat(BenchReport.reportsFreePages(dir.resolve("no-balloon"))).as("no balloon driver").isFalse();
  }
}
