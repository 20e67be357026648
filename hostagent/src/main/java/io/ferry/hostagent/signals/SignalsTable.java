package io.ferry.hostagent.signals;

import io.ferry.v1.DiskHealth;
import io.ferry.v1.HostFacts;
import io.ferry.v1.HostSignals;
import io.ferry.v1.NetworkInterface;
import io.ferry.v1.SignalStatus;
import io.ferry.v1.TemperatureSensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Renders host facts and signals as an aligned three-column text table (signal, subject, value) for people.
 * An unavailable signal reads {@code unavailable: reason}.
 */
final class SignalsTable {
  private record Row(String signal, String subject, String value) {}

  private SignalsTable() {}

  static String render(HostFacts facts, HostSignals s) {
    List<Row> rows = new ArrayList<>();
    rows.add(new Row("SIGNAL", "SUBJECT", "VALUE"));
    rows.add(new Row("host", facts.getName(), String.format(Locale.ROOT, "%s, %d cores, %s, kernel %s, qemu %s",
        facts.getCpuModel(), facts.getCpuCores(), bytes(facts.getMemoryBytes()), facts.getKernel(),
        facts.getHypervisorVersion())));
    rows.add(new Row("cpu", "host", statusOr(s.getCpu().getStatus(), () -> String.format(Locale.ROOT,
        "%.1f %% of %d cores; load %.2f %.2f %.2f", s.getCpu().getUtilizationRatio() * 100, s.getCpu().getCores(),
        s.getCpu().getLoad1(), s.getCpu().getLoad5(), s.getCpu().getLoad15()))));
    rows.add(new Row("memory", "host", statusOr(s.getMemory().getStatus(), () -> bytes(s.getMemory().getUsedBytes())
        + " used of " + bytes(s.getMemory().getTotalBytes()) + " (" + bytes(s.getMemory().getAvailableBytes())
        + " available)")));
    rows.add(new Row("temperature", "host", statusOr(s.getTemperature().getStatus(),
        () -> String.format(Locale.ROOT, "headline %.1f C", s.getTemperature().getHeadlineCelsius()))));
    for (TemperatureSensor t : s.getTemperature().getSensorsList()) {
      rows.add(new Row("temperature", t.getSensor(), String.format(Locale.ROOT, "%.1f C (%s%s; max %s, crit %s)",
          t.getCelsius(), t.getLabel(), t.getCpuPackage() ? ", cpu package" : "", celsius(t.getMaxCelsius()),
          celsius(t.getCritCelsius()))));
    }
    rows.add(new Row("smart", "host", statusOr(s.getSmart().getStatus(),
        () -> s.getSmart().getDisksCount() + " disks")));
    for (DiskHealth d : s.getSmart().getDisksList()) {
      rows.add(new Row("smart", d.getDevice(), statusOr(d.getStatus(), () -> disk(d))));
    }
    rows.add(new Row("network", "host", statusOr(s.getNetwork().getStatus(),
        () -> s.getNetwork().getInterfacesCount() + " interfaces")));
    for (NetworkInterface i : s.getNetwork().getInterfacesList()) {
      rows.add(new Row("network", i.getName(), "rx " + bytes(i.getRxBytesPerSecond()) + "/s, tx "
          + bytes(i.getTxBytesPerSecond()) + "/s"));
    }
    return align(rows);
  }

  private static String disk(DiskHealth d) {
    String health = (d.getSmartPassed() ? "passed" : "FAILED") + " (" + d.getProtocol() + " " + d.getModel() + ")";
    String counters = "nvme".equals(d.getProtocol())
        ? String.format(Locale.ROOT, "critical warning %d, media errors %d, %d %% used, spare %d %% (threshold %d %%)",
            d.getNvmeCriticalWarning(), d.getNvmeMediaErrors(), d.getNvmePercentageUsed(), d.getNvmeAvailableSpare(),
            d.getNvmeAvailableSpareThreshold())
        : String.format(Locale.ROOT, "reallocated %d, pending %d, offline uncorrectable %d",
            d.getReallocatedSectors(), d.getPendingSectors(), d.getOfflineUncorrectable());
    String flags = d.getSmartctlFlagsCount() == 0 ? "" : "; smartctl: " + String.join(", ", d.getSmartctlFlagsList());
    return health + "; " + counters + String.format(Locale.ROOT, "; %.0f C", d.getTemperatureCelsius()) + flags;
  }

  private static String statusOr(SignalStatus status, java.util.function.Supplier<String> value) {
    return status.getAvailable() ? value.get() : "unavailable: " + status.getReason();
  }

  private static String celsius(double c) {
    return c == 0 ? "-" : String.format(Locale.ROOT, "%.1f C", c);
  }

  static String bytes(double bytes) {
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
    int unit = 0;
    while (bytes >= 1024 && unit < units.length - 1) {
      bytes /= 1024;
      unit++;
    }
    return unit == 0 ? String.format(Locale.ROOT, "%.0f B", bytes)
        : String.format(Locale.ROOT, "%.2f %s", bytes, units[unit]);
  }

  private static String align(List<Row> rows) {
    int signalWidth = rows.stream().mapToInt(r -> r.signal().length()).max().orElse(0);
    int subjectWidth = rows.stream().mapToInt(r -> r.subject().length()).max().orElse(0);
    StringBuilder out = new StringBuilder();
    for (Row r : rows) {
      out.append(String.format(Locale.ROOT, "%-" + signalWidth + "s  %-" + subjectWidth + "s  %s%n",
          r.signal(), r.subject(), r.value()));
    }
    return out.toString();
  }
}
