package io.ferry.scheduler.admin;

import com.google.protobuf.Timestamp;
import io.ferry.scheduler.state.HostState;
import io.ferry.v1.HostSummary;
import io.ferry.v1.VmSummary;
import io.ferry.v1.VmUsage;
import java.time.Instant;

/** Turns the leader's state into the Admin API's summaries. */
public final class StatusView {
  private StatusView() {}

  public static HostSummary host(HostState h) {
    HostSummary.Builder b = HostSummary.newBuilder()
        .setName(h.name())
        .setConnected(h.connected())
        .setPower(h.power())
        .setMode(h.mode())
        .setCpuCores(h.facts().getCpuCores())
        .setMemoryTotalBytes(h.facts().getMemoryBytes())
        .setVmCount(h.vms().size())
        .setAgentEndpoint(h.facts().getAgentEndpoint())
        .setHypervisor(h.facts().getHypervisor())
        .putAllLabels(h.facts().getLabelsMap())
        .setLastReportAt(ts(h.lastReportAt()))
        .setDisksHealthy(true);
    if (h.signals().hasCpu()) {
      b.setCpuUtilizationRatio(h.signals().getCpu().getUtilizationRatio());
      if (!h.signals().getCpu().getStatus().getAvailable()) {
        b.addNotes("cpu unavailable: " + h.signals().getCpu().getStatus().getReason());
      }
    }
    if (h.signals().hasMemory()) {
      b.setMemoryUsedBytes(h.signals().getMemory().getUsedBytes());
      if (h.signals().getMemory().getTotalBytes() > 0) {
        b.setMemoryTotalBytes(h.signals().getMemory().getTotalBytes());
      }
    }
    if (h.signals().hasTemperature()) {
      b.setTemperatureCelsius(h.signals().getTemperature().getHeadlineCelsius());
      if (!h.signals().getTemperature().getStatus().getAvailable()) {
        b.addNotes("temperature unavailable: " + h.signals().getTemperature().getStatus().getReason());
      }
    }
    if (h.signals().hasSmart()) {
      boolean healthy = h.signals().getSmart().getDisksList().stream()
          .allMatch(d -> !d.getStatus().getAvailable() || d.getSmartPassed());
      b.setDisksHealthy(healthy);
      if (!h.signals().getSmart().getStatus().getAvailable()) {
        b.addNotes("smart unavailable: " + h.signals().getSmart().getStatus().getReason());
      }
    }
    if (!h.connected()) {
      b.addNotes("agent not connected since " + h.lastReportAt());
    }
    return b.build();
  }

  public static VmSummary vm(String host, VmUsage v) {
    return VmSummary.newBuilder()
        .setName(v.getName())
        .setHost(host)
        .setState(v.getState())
        .setVcpus(v.getVcpus())
        .setMemoryBytes(v.getMemoryBytes())
        .setCpuUsageCores(v.getCpuUsageCores())
        .setMemoryUsedBytes(v.getMemoryUsedBytes())
        .setDirtyRateBytesPerSecond(v.getDirtyRateBytesPerSecond())
        .putAllLabels(v.getLabelsMap())
        .setAccelerator(v.getAccelerator())
        .build();
  }

  public static String modeNote(HostState h, io.ferry.v1.HostMode mode, String reason) {
    String m = mode.name().replace("HOST_MODE_", "").toLowerCase(java.util.Locale.ROOT);
    if (mode == io.ferry.v1.HostMode.HOST_MODE_MAINTENANCE) {
      return h.vms().isEmpty() ? "maintenance: drained (" + reason + ")"
          : "maintenance: draining, " + h.vms().size() + " VMs left (" + reason + ")";
    }
    return m + ": " + reason;
  }

  public static Timestamp ts(Instant i) {
    return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
  }
}
