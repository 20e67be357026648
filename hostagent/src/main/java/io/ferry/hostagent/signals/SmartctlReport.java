package io.ferry.hostagent.signals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ferry.v1.DiskHealth;
import java.io.IOException;
import java.util.Locale;

/**
 * Reads the JSON of {@code smartctl --json -a DEVICE} (smartmontools 7+) into a {@link DiskHealth}: overall health
 * and, for ATA, attributes 5, 187, 188, 197, 198, 199 and 194 (raw values); for NVMe, the health information log.
 * The status field is left for the caller, which knows whether anything went wrong.
 */
final class SmartctlReport {
  static final String NO_VERDICT = "no overall health verdict";
  private static final ObjectMapper JSON = new ObjectMapper();

  private SmartctlReport() {}

  static JsonNode parseJson(String output, String what) throws Unavailable {
    if (output.isBlank()) {
      throw new Unavailable(Unavailable.Kind.BAD_OUTPUT, "smartctl printed nothing for " + what);
    }
    try {
      JsonNode root = JSON.readTree(output);
      if (root == null || !root.isObject()) {
        throw new IOException("not a JSON object");
      }
      return root;
    } catch (IOException e) {
      throw new Unavailable(Unavailable.Kind.BAD_OUTPUT,
          "smartctl output for " + what + " is not valid JSON (truncated or smartmontools older than 7?)");
    }
  }

  /** The first error message smartctl put in its JSON, or "" when none. */
  static String firstMessage(JsonNode root) {
    for (JsonNode message : root.path("smartctl").path("messages")) {
      String text = message.path("string").asText("");
      if (!text.isEmpty()) {
        return text;
      }
    }
    return "";
  }

  static DiskHealth.Builder parse(JsonNode root, String device, SmartctlExitStatus exit) throws Unavailable {
    boolean hasStatus = root.path("smart_status").has("passed");
    JsonNode attributes = root.path("ata_smart_attributes").path("table");
    JsonNode nvme = root.path("nvme_smart_health_information_log");
    if (!hasStatus && !attributes.isArray() && !nvme.isObject()) {
      String message = firstMessage(root);
      throw new Unavailable(Unavailable.Kind.DEVICE_ERROR, "smartctl returned no SMART data for " + device
          + (message.isEmpty() ? "" : ": " + message));
    }
    DiskHealth.Builder disk = DiskHealth.newBuilder()
        .setDevice(device)
        .setModel(model(root))
        .setProtocol(root.path("device").path("protocol").asText("unknown").toLowerCase(Locale.ROOT))
        .setSmartPassed(passed(root, exit))
        .addAllSmartctlFlags(exit.words());
    if (!hasStatus) {
      disk.addSmartctlFlags(NO_VERDICT);
    }
    if (attributes.isArray()) {
      readAta(attributes, disk);
    }
    if (nvme.isObject()) {
      readNvme(nvme, disk);
    }
    // SCSI/SAS disks report their remapped blocks as the grown defect list: the analogue of attribute 5.
    if (root.has("scsi_grown_defect_list")) {
      disk.setReallocatedSectors(root.path("scsi_grown_defect_list").asLong());
    }
    JsonNode current = root.path("temperature").path("current");
    if (current.isNumber()) {
      disk.setTemperatureCelsius(current.asDouble());
    }
    return disk;
  }

  /**
   * The disk's own verdict. A disk that gives none (SMART disabled, some USB bridges) counts as passed, with
   * {@link #NO_VERDICT} among its flags: calling it failed would evacuate a host over a missing answer.
   */
  private static boolean passed(JsonNode root, SmartctlExitStatus exit) {
    return root.path("smart_status").path("passed").asBoolean(true) && !exit.diskFailing();
  }

  private static String model(JsonNode root) {
    for (String field : new String[] {"model_name", "scsi_model_name", "model_family"}) {
      if (root.hasNonNull(field)) {
        return root.get(field).asText();
      }
    }
    return "";
  }

  private static void readAta(JsonNode table, DiskHealth.Builder disk) {
    for (JsonNode attribute : table) {
      JsonNode raw = attribute.path("raw");
      long value = raw.path("value").asLong();
      switch (attribute.path("id").asInt()) {
        case 5 -> disk.setReallocatedSectors(value);
        case 187 -> disk.setReportedUncorrectable(value);
        case 188 -> disk.setCommandTimeouts(value);
        case 197 -> disk.setPendingSectors(value);
        case 198 -> disk.setOfflineUncorrectable(value);
        case 199 -> disk.setUdmaCrcErrors(value);
        case 194 -> disk.setTemperatureCelsius(ataTemperature(raw));
        default -> { }
      }
    }
  }

  /**
   * Attribute 194 packs min and max into the upper bytes of its raw value on many drives
   * ("34 (Min/Max 18/47)" = 201863462946), so the leading number of the raw string is the current temperature.
   */
  private static double ataTemperature(JsonNode raw) {
    String text = raw.path("string").asText("").trim();
    int end = 0;
    while (end < text.length() && Character.isDigit(text.charAt(end))) {
      end++;
    }
    return end > 0 ? Double.parseDouble(text.substring(0, end)) : raw.path("value").asLong() & 0xFF;
  }

  private static void readNvme(JsonNode log, DiskHealth.Builder disk) {
    disk.setNvmeCriticalWarning(log.path("critical_warning").asInt())
        .setNvmeMediaErrors(log.path("media_errors").asLong())
        .setNvmePercentageUsed(log.path("percentage_used").asInt())
        .setNvmeAvailableSpare(log.path("available_spare").asInt())
        .setNvmeAvailableSpareThreshold(log.path("available_spare_threshold").asInt());
    if (log.path("temperature").isNumber()) {
      disk.setTemperatureCelsius(log.path("temperature").asDouble());
    }
  }
}
