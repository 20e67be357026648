package io.ferry.hostagent.signals;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Timestamp;
import io.ferry.v1.DiskHealth;
import io.ferry.v1.SignalStatus;
import io.ferry.v1.SmartSignal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;

/**
 * Disk health from smartmontools 7+: {@code smartctl --scan-open --json} finds the disks, then
 * {@code smartctl --json -a -d TYPE DEVICE} reads each. Every run is bounded by a time-out (a hung controller
 * must not hang the agent); a disk that cannot be read is reported unavailable with the reason while the others
 * are still read. The signal is available when at least one disk was read.
 */
public final class SmartSampler {
  static final String SIGNAL = "smart";
  static final String DISK_SIGNAL = "smart_disk";
  /** smartctl may take seconds per disk (spinning up, slow controllers); longer than this counts as hung. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
  private static final String SMARTCTL = "smartctl";

  /**
   * A disk as smartctl addresses it. {@code id} is what Ferry calls it: the device name, or name and type when
   * several disks share one name (disks behind a RAID controller: /dev/bus/0 with megaraid,0 and megaraid,1).
   */
  private record Device(String name, String type, String id) {}

  private final CommandRunner runner;
  private final Duration timeout;
  private final Clock clock;
  private final SignalAvailability availability;

  public SmartSampler(CommandRunner runner, Duration timeout, Clock clock, SignalAvailability availability) {
    this.runner = runner;
    this.timeout = timeout;
    this.clock = clock;
    this.availability = availability;
  }

  public SmartSignal sample() {
    List<Device> devices;
    try {
      devices = scan();
    } catch (Unavailable e) {
      return SmartSignal.newBuilder().setStatus(availability.unavailable(SIGNAL, e)).build();
    }
    SmartSignal.Builder signal = SmartSignal.newBuilder();
    SignalStatus firstFailure = null;
    for (Device device : devices) {
      DiskHealth disk = readDisk(device);
      signal.addDisks(disk);
      if (!disk.getStatus().getAvailable() && firstFailure == null) {
        firstFailure = disk.getStatus();
      }
    }
    boolean anyRead = signal.getDisksList().stream().anyMatch(d -> d.getStatus().getAvailable());
    return signal.setStatus(anyRead
        ? availability.available(SIGNAL)
        : availability.unavailable(SIGNAL, new Unavailable(Unavailable.Kind.DEVICE_ERROR, firstFailure.getReason())))
        .build();
  }

  private List<Device> scan() throws Unavailable {
    JsonNode root = SmartctlReport.parseJson(run(List.of(SMARTCTL, "--scan-open", "--json")).stdout(),
        "--scan-open");
    Map<String, Long> namesSeen = new HashMap<>();
    for (JsonNode device : root.path("devices")) {
      namesSeen.merge(device.path("name").asText(""), 1L, Long::sum);
    }
    List<Device> devices = new ArrayList<>();
    for (JsonNode device : root.path("devices")) {
      String name = device.path("name").asText("");
      String type = device.path("type").asText("");
      if (!name.isEmpty()) {
        devices.add(new Device(name, type, namesSeen.get(name) > 1 ? name + " " + type : name));
      }
    }
    if (devices.isEmpty()) {
      throw new Unavailable(Unavailable.Kind.NO_SENSORS, "no SMART-capable disks found by smartctl --scan-open");
    }
    return devices;
  }

  private DiskHealth readDisk(Device device) {
    Instant now = clock.instant();
    Timestamp sampledAt = Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()).build();
    try {
      List<String> command = new ArrayList<>(List.of(SMARTCTL, "--json", "-a"));
      if (!device.type().isEmpty()) {
        command.addAll(List.of("-d", device.type()));
      }
      command.add(device.name());
      CommandResult result = run(command);
      SmartctlExitStatus exit = new SmartctlExitStatus(result.exitCode());
      JsonNode root = SmartctlReport.parseJson(result.stdout(), device.id());
      if (exit.noData()) {
        throw openFailure(device.id(), SmartctlReport.firstMessage(root), exit);
      }
      return SmartctlReport.parse(root, device.id(), exit)
          .setStatus(availability.available(DISK_SIGNAL, device.id()))
          .setSampledAt(sampledAt)
          .build();
    } catch (Unavailable e) {
      return DiskHealth.newBuilder()
          .setDevice(device.id())
          .setStatus(availability.unavailable(DISK_SIGNAL, device.id(), e))
          .setSampledAt(sampledAt)
          .build();
    }
  }

  private static Unavailable openFailure(String device, String message, SmartctlExitStatus exit) {
    if (message.toLowerCase(Locale.ROOT).contains("permission denied")) {
      return new Unavailable(Unavailable.Kind.PERMISSION_DENIED, "permission denied: " + device);
    }
    String detail = message.isEmpty() ? String.join(", ", exit.words()) : message;
    return new Unavailable(Unavailable.Kind.DEVICE_ERROR, "smartctl cannot read " + device + ": " + detail);
  }

  private CommandResult run(List<String> command) throws Unavailable {
    CommandResult result = runner.run(command, timeout);
    return switch (result.outcome()) {
      case COMPLETED -> result;
      case NOT_INSTALLED -> throw new Unavailable(Unavailable.Kind.NOT_INSTALLED, result.detail());
      case TIMED_OUT -> throw new Unavailable(Unavailable.Kind.TIMED_OUT, result.detail());
      case FAILED_TO_START -> throw new Unavailable(Unavailable.Kind.UNREADABLE, result.detail());
    };
  }
}
