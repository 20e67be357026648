package io.ferry.hostagent.signals;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.v1.DiskHealth;
import io.ferry.v1.SmartSignal;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SmartSamplerTest {
  final FixtureHost counters = new FixtureHost(Path.of("unused"));
  final FakeSmartctl smartctl = new FakeSmartctl();
  final MutableClock clock = new MutableClock();

  private SmartSignal sample() {
    return new SmartSampler(smartctl, Duration.ofSeconds(30), clock, counters.availability).sample();
  }

  private static DiskHealth disk(SmartSignal signal, String device) {
    return signal.getDisksList().stream().filter(d -> d.getDevice().equals(device)).findFirst().orElseThrow();
  }

  private FakeSmartctl threeDisks(String sda, int sdaExit) {
    return smartctl.answer(FakeSmartctl.SCAN, 0, "scan-open.json")
        .answer("/dev/sda", sdaExit, sda)
        .answer("/dev/sdb", 2, "open-permission-denied.json")
        .answer("/dev/nvme0", 72, "nvme-critical-warning.json");
  }

  @Test
  void healthySataDisk() {
    threeDisks("ata-healthy.json", 0);

    DiskHealth sda = disk(sample(), "/dev/sda");

    assertThat(sda.getStatus().getAvailable()).isTrue();
    assertThat(sda.getSmartPassed()).isTrue();
    assertThat(sda.getProtocol()).isEqualTo("ata");
    assertThat(sda.getModel()).isEqualTo("Samsung SSD 860 EVO 500GB");
    assertThat(sda.getReallocatedSectors()).isZero();
    assertThat(sda.getPendingSectors()).isZero();
    assertThat(sda.getUdmaCrcErrors()).isEqualTo(2);
    assertThat(sda.getTemperatureCelsius()).isEqualTo(30.0);
    assertThat(sda.getSmartctlFlagsList()).isEmpty();
    assertThat(sda.getSampledAt().getSeconds()).isEqualTo(clock.instant().getEpochSecond());
  }

  @Test
  void sataDiskWithGrowingBadSectorsEndsFailed() {
    threeDisks("ata-degrading-1.json", 64);
    DiskHealth before = disk(sample(), "/dev/sda");
    threeDisks("ata-degrading-2.json", 216);

    DiskHealth after = disk(sample(), "/dev/sda");

    assertThat(before.getSmartPassed()).isTrue();
    assertThat(before.getReallocatedSectors()).isEqualTo(200);
    assertThat(before.getPendingSectors()).isEqualTo(8);
    assertThat(before.getSmartctlFlagsList()).containsExactly("device error log has errors");
    assertThat(after.getSmartPassed()).isFalse();
    assertThat(after.getReallocatedSectors()).isEqualTo(1248);
    assertThat(after.getPendingSectors()).isEqualTo(64);
    assertThat(after.getOfflineUncorrectable()).isEqualTo(12);
    assertThat(after.getReportedUncorrectable()).isEqualTo(3);
    assertThat(after.getCommandTimeouts()).isEqualTo(1);
    // raw 201863462947 packs min/max into the upper bytes: "35 (Min/Max 18/47)"
    assertThat(after.getTemperatureCelsius()).isEqualTo(35.0);
    assertThat(after.getSmartctlFlagsList()).contains("SMART status: disk failing", "self-test log has errors");
    assertThat(after.getStatus().getAvailable()).isTrue();
  }

  @Test
  void nvmeDriveWithCriticalWarning() {
    threeDisks("ata-healthy.json", 0);

    DiskHealth nvme = disk(sample(), "/dev/nvme0");

    assertThat(nvme.getProtocol()).isEqualTo("nvme");
    assertThat(nvme.getSmartPassed()).isFalse();
    assertThat(nvme.getNvmeCriticalWarning()).isEqualTo(4);
    assertThat(nvme.getNvmeMediaErrors()).isEqualTo(3);
    assertThat(nvme.getNvmePercentageUsed()).isEqualTo(104);
    assertThat(nvme.getNvmeAvailableSpare()).isEqualTo(4);
    assertThat(nvme.getNvmeAvailableSpareThreshold()).isEqualTo(10);
    assertThat(nvme.getTemperatureCelsius()).isEqualTo(71.0);
    assertThat(nvme.getSmartctlFlagsList()).containsExactly("SMART status: disk failing", "device error log has errors");
  }

  @Test
  void permissionDeniedDiskIsUnavailableWhileTheOthersAreRead() {
    threeDisks("ata-healthy.json", 0);

    SmartSignal signal = sample();

    assertThat(signal.getStatus().getAvailable()).isTrue();
    assertThat(disk(signal, "/dev/sdb").getStatus().getAvailable()).isFalse();
    assertThat(disk(signal, "/dev/sdb").getStatus().getReason()).isEqualTo("permission denied: /dev/sdb");
    assertThat(counters.unavailableCount("smart_disk", "permission_denied")).isEqualTo(1);
    assertThat(smartctl.calls).contains(java.util.List.of("smartctl", "--json", "-a", "-d", "nvme", "/dev/nvme0"));
  }

  @Test
  void truncatedOutputMakesOnlyThatDiskUnavailable() {
    threeDisks("ata-truncated.json", 0);

    SmartSignal signal = sample();

    assertThat(disk(signal, "/dev/sda").getStatus().getReason())
        .isEqualTo("smartctl output for /dev/sda is not valid JSON (truncated or smartmontools older than 7?)");
    assertThat(disk(signal, "/dev/nvme0").getStatus().getAvailable()).isTrue();
  }

  @Test
  void textOutputOfAnOldSmartctlIsNotJson() {
    smartctl.answer(FakeSmartctl.SCAN, 0, "smartctl-6-text.txt");

    SmartSignal signal = sample();

    assertThat(signal.getStatus().getAvailable()).isFalse();
    assertThat(signal.getStatus().getReason()).contains("is not valid JSON");
    assertThat(counters.unavailableCount("smart", "bad_output")).isEqualTo(1);
  }

  @Test
  void diskWithoutSmartDataIsUnavailableWithSmartctlsMessage() {
    smartctl.answer(FakeSmartctl.SCAN, 0, "scan-open.json").answer("/dev/sda", 4, "no-smart-data.json");

    SmartSignal signal = sample();

    assertThat(disk(signal, "/dev/sda").getStatus().getReason())
        .isEqualTo("smartctl returned no SMART data for /dev/sda: /dev/sdc: Unable to detect device type");
    // sdb and nvme0 printed nothing at all in this run: nothing could be read, so the signal is unavailable
    assertThat(signal.getStatus().getAvailable()).isFalse();
  }

  @Test
  void diskWithAttributesButNoVerdictIsNotCalledFailed() {
    String noVerdict = "{\"device\": {\"protocol\": \"ATA\"}, \"ata_smart_attributes\": {\"table\": "
        + "[{\"id\": 5, \"raw\": {\"value\": 7}}]}}";
    smartctl.answer(FakeSmartctl.SCAN, 0, "scan-open.json").answer("/dev/sda", CommandResult.completed(0, noVerdict));

    DiskHealth sda = disk(sample(), "/dev/sda");

    assertThat(sda.getSmartPassed()).isTrue();
    assertThat(sda.getReallocatedSectors()).isEqualTo(7);
    assertThat(sda.getSmartctlFlagsList()).containsExactly("no overall health verdict");
  }

  @Test
  void smartctlNotInstalled() {
    smartctl.answer(FakeSmartctl.SCAN, CommandResult.notInstalled("smartctl"));

    SmartSignal signal = sample();

    assertThat(signal.getStatus().getReason()).isEqualTo("smartctl not installed");
    assertThat(counters.unavailableCount("smart", "not_installed")).isEqualTo(1);
  }

  @Test
  void hangingSmartctlIsReportedAsTimedOut() {
    smartctl.answer(FakeSmartctl.SCAN, 0, "scan-open.json")
        .answer("/dev/sda", CommandResult.timedOut("smartctl", Duration.ofSeconds(30)));

    SmartSignal signal = sample();

    assertThat(disk(signal, "/dev/sda").getStatus().getReason()).isEqualTo("smartctl timed out after 30s");
    assertThat(counters.unavailableCount("smart_disk", "timed_out")).isEqualTo(1);
  }

  @Test
  void disksBehindOneRaidControllerAreToldApartByType() {
    smartctl.answer(FakeSmartctl.SCAN, 0, "scan-open-megaraid.json").answer("/dev/bus/0", 0, "ata-healthy.json");

    SmartSignal signal = sample();

    assertThat(signal.getDisksList()).extracting(DiskHealth::getDevice)
        .containsExactly("/dev/bus/0 megaraid,0", "/dev/bus/0 megaraid,1");
    assertThat(smartctl.calls).contains(java.util.List.of("smartctl", "--json", "-a", "-d", "megaraid,1", "/dev/bus/0"));
  }

  @Test
  void noDisksFound() {
    smartctl.answer(FakeSmartctl.SCAN, 0, "scan-open-empty.json");

    assertThat(sample().getStatus().getReason()).isEqualTo("no SMART-capable disks found by smartctl --scan-open");
  }
}
