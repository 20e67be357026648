package io.ferry.hostagent.signals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ferry.common.FerryException;
import io.ferry.v1.HostFacts;
import io.ferry.v1.HostSignals;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SignalsPrinterTest {
  @TempDir Path root;

  @Test
  void printsThisMachineOnceAsJsonWithCpuMemoryAndExplicitStatuses() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    int exit = SignalsPrinter.print(true, "json", new PrintStream(bytes, true, StandardCharsets.UTF_8),
        Duration.ofSeconds(5));

    JsonNode signals = new ObjectMapper().readTree(bytes.toString(StandardCharsets.UTF_8)).get("signals");
    assertThat(exit).isZero();
    assertThat(signals.at("/cpu/status/available").asBoolean()).isTrue();
    assertThat(signals.at("/cpu/cores").asInt()).isPositive();
    assertThat(signals.at("/memory/totalBytes").asLong()).isPositive();
    for (String signal : new String[] {"temperature", "smart", "network"}) {
      JsonNode status = signals.get(signal).get("status");
      assertThat(status.has("available")).as(signal + " says whether it is available").isTrue();
      if (!status.get("available").asBoolean()) {
        assertThat(status.get("reason").asText()).as(signal + " reason").isNotBlank();
      }
    }
  }

  @Test
  void tableShowsUnavailableSignalsWithTheirReason() {
    FixtureHost host = new FixtureHost(root).put("/proc/stat", "proc/2-core/stat-t0")
        .put("/proc/loadavg", "proc/2-core/loadavg").put("/proc/meminfo", "proc/2-core/meminfo");
    HostSampler sampler = HostSampler.builder(host.registry).files(host.files())
        .runner((command, timeout) -> CommandResult.notInstalled(command.get(0))).build();

    String table = SignalsPrinter.render(HostFacts.newBuilder().setName("h1").build(), sampler.sample(), "table");

    assertThat(table).contains("cpu          host     15.0 % of 2 cores; load 0.52 0.41 0.30");
    assertThat(table).contains("memory       host     992.29 MiB used of 3.84 GiB (2.87 GiB available)");
    assertThat(table).contains("temperature  host     unavailable: no temperature sensors under /sys/class/hwmon");
    assertThat(table).contains("smart        host     unavailable: smartctl not installed");
    assertThat(table).contains("network      host     unavailable: missing: /proc/net/dev");
  }

  @Test
  void tableListsEveryDiskWithItsHealth() {
    HostSignals signals = HostSignals.newBuilder().setSmart(io.ferry.v1.SmartSignal.newBuilder()
        .setStatus(io.ferry.v1.SignalStatus.newBuilder().setAvailable(true))
        .addDisks(io.ferry.v1.DiskHealth.newBuilder().setDevice("/dev/sda").setProtocol("ata").setModel("WDC")
            .setStatus(io.ferry.v1.SignalStatus.newBuilder().setAvailable(true))
            .setReallocatedSectors(1248).setPendingSectors(64).addSmartctlFlags("SMART status: disk failing")))
        .build();

    String table = SignalsPrinter.render(HostFacts.getDefaultInstance(), signals, "table");

    assertThat(table).contains("/dev/sda  FAILED (ata WDC); reallocated 1248, pending 64")
        .contains("smartctl: SMART status: disk failing");
  }

  @Test
  void refusesAnUnknownFormat() {
    assertThatThrownBy(() -> SignalsPrinter.print(true, "yaml", System.out, Duration.ofSeconds(5)))
        .isInstanceOf(FerryException.class).hasMessage("unknown format 'yaml': use json or table");
  }
}
