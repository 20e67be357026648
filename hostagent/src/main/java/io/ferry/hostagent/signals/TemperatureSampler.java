package io.ferry.hostagent.signals;

import io.ferry.v1.TemperatureSensor;
import io.ferry.v1.TemperatureSignal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Every temperature the kernel publishes: {@code /sys/class/hwmon/hwmon*\/temp*_input} (with label, max and crit
 * when present) and {@code /sys/class/thermal/thermal_zone*\/temp} (with its type). The headline is the hottest
 * CPU package sensor ("Package id N" from coretemp, "Tctl"/"Tdie" from k10temp, zone type x86_pkg_temp), or the
 * hottest sensor when none is a package. Sensors with impossible readings are left out; the signal is
 * unavailable only when no sensor gives a usable reading.
 */
public final class TemperatureSampler {
  static final String SIGNAL = "temperature";
  private static final String HWMON = "/sys/class/hwmon";
  private static final String THERMAL = "/sys/class/thermal";
  private static final Pattern PACKAGE_LABEL = Pattern.compile("Package id \\d+|Tctl|Tdie");
  // Above this a reading is a disconnected or misconfigured sensor (many chips report 127 or 255), not heat.
  private static final double MAX_PLAUSIBLE_CELSIUS = 150;

  /** What does not change between samples: label and thresholds are fixed by the driver. */
  private record SensorInfo(String label, double maxCelsius, double critCelsius, boolean cpuPackage) {}

  private final HostFiles files;
  private final SignalAvailability availability;
  // Cached so a sample reads one file per sensor instead of four (see SignalsBenchmark).
  private final Map<String, SensorInfo> infoByPath = new ConcurrentHashMap<>();

  public TemperatureSampler(HostFiles files, SignalAvailability availability) {
    this.files = files;
    this.availability = availability;
  }

  public TemperatureSignal sample() {
    List<TemperatureSensor> sensors = new ArrayList<>();
    List<Unavailable> failures = new ArrayList<>();
    for (String hwmon : files.list(HWMON, "hwmon")) {
      readHwmon(hwmon, sensors, failures);
    }
    for (String zone : files.list(THERMAL, "thermal_zone")) {
      String dir = THERMAL + "/" + zone;
      SensorInfo info = infoByPath.computeIfAbsent(dir, d -> zoneInfo(d, zone));
      read(zone, dir + "/temp", info, sensors, failures);
    }
    if (sensors.isEmpty()) {
      Unavailable why = failures.isEmpty()
          ? new Unavailable(Unavailable.Kind.NO_SENSORS,
              "no temperature sensors under " + HWMON + " or " + THERMAL)
          : failures.get(0);
      return TemperatureSignal.newBuilder().setStatus(availability.unavailable(SIGNAL, why)).build();
    }
    return TemperatureSignal.newBuilder()
        .setStatus(availability.available(SIGNAL))
        .addAllSensors(sensors)
        .setHeadlineCelsius(headline(sensors))
        .build();
  }

  private void readHwmon(String hwmon, List<TemperatureSensor> sensors, List<Unavailable> failures) {
    String dir = HWMON + "/" + hwmon;
    List<String> entries = files.list(dir, "temp");
    if (entries.isEmpty()) {
      // Kernels before 3.15 put some drivers' attributes (coretemp among them) under hwmonN/device.
      dir = dir + "/device";
      entries = files.list(dir, "temp");
    }
    Set<String> present = new HashSet<>(entries);
    for (String entry : entries) {
      if (!entry.endsWith("_input")) {
        continue;
      }
      String temp = entry.substring(0, entry.length() - "_input".length());
      String chipDir = dir;
      SensorInfo info = infoByPath.computeIfAbsent(dir + "/" + temp, p -> hwmonInfo(chipDir, temp, present));
      read(hwmon + "/" + temp, dir + "/" + entry, info, sensors, failures);
    }
  }

  private void read(String id, String path, SensorInfo info, List<TemperatureSensor> sensors,
      List<Unavailable> failures) {
    try {
      String millidegrees = files.read(path);
      double celsius = Readings.nonNegativeDouble(millidegrees, path) / 1000.0;
      if (celsius > MAX_PLAUSIBLE_CELSIUS) {
        throw Readings.invalid(millidegrees, path);
      }
      sensors.add(TemperatureSensor.newBuilder()
          .setSensor(id)
          .setLabel(info.label())
          .setCelsius(celsius)
          .setMaxCelsius(info.maxCelsius())
          .setCritCelsius(info.critCelsius())
          .setCpuPackage(info.cpuPackage())
          .build());
    } catch (Unavailable e) {
      failures.add(e);
    }
  }

  private SensorInfo hwmonInfo(String dir, String temp, Set<String> present) {
    String label = present.contains(temp + "_label") ? trimmed(files.readOptional(dir + "/" + temp + "_label")) : null;
    if (label == null || label.isEmpty()) {
      String chip = trimmed(files.readOptional(dir + "/name"));
      label = chip == null || chip.isEmpty() ? temp : chip + " " + temp;
    }
    double max = present.contains(temp + "_max") ? threshold(dir + "/" + temp + "_max") : 0;
    double crit = present.contains(temp + "_crit") ? threshold(dir + "/" + temp + "_crit") : 0;
    return new SensorInfo(label, max, crit, PACKAGE_LABEL.matcher(label).matches());
  }

  private SensorInfo zoneInfo(String dir, String zone) {
    String type = trimmed(files.readOptional(dir + "/type"));
    String label = type == null || type.isEmpty() ? zone : type;
    return new SensorInfo(label, 0, 0, "x86_pkg_temp".equals(type));
  }

  /** A max/crit threshold in Celsius, or 0 ("none published") when absent or nonsensical. */
  private double threshold(String path) {
    String text = files.readOptional(path);
    if (text == null) {
      return 0;
    }
    try {
      return Readings.nonNegativeDouble(text, path) / 1000.0;
    } catch (Unavailable e) {
      return 0;
    }
  }

  private static double headline(List<TemperatureSensor> sensors) {
    boolean anyPackage = sensors.stream().anyMatch(TemperatureSensor::getCpuPackage);
    return sensors.stream()
        .filter(s -> !anyPackage || s.getCpuPackage())
        .mapToDouble(TemperatureSensor::getCelsius)
        .max()
        .orElse(0);
  }

  private static String trimmed(String text) {
    return text == null ? null : text.trim();
  }
}
