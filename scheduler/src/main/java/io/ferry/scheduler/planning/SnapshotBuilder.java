package io.ferry.scheduler.planning;

import io.ferry.policies.snapshot.Disk;
import io.ferry.policies.snapshot.Host;
import io.ferry.policies.snapshot.HostMode;
import io.ferry.policies.snapshot.MigrationInFlight;
import io.ferry.policies.snapshot.PowerState;
import io.ferry.policies.snapshot.Sample;
import io.ferry.policies.snapshot.Snapshot;
import io.ferry.policies.snapshot.TimeSeries;
import io.ferry.policies.snapshot.Vm;
import io.ferry.scheduler.state.ClusterState;
import io.ferry.scheduler.state.HostState;
import io.ferry.scheduler.state.SignalHistory;
import io.ferry.v1.DiskHealth;
import io.ferry.v1.MigrationRecord;
import io.ferry.v1.VmState;
import io.ferry.v1.VmUsage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Turns the leader's live state into the planner's {@link Snapshot} (the same model `ferry plan --snapshot` reads),
 * so live runs and dry runs plan on identical input.
 */
public final class SnapshotBuilder {
  private static final long MIB = 1024 * 1024;

  private SnapshotBuilder() {}

  public static Snapshot build(ClusterState state, List<MigrationRecord> inFlight,
                               Function<String, Optional<Instant>> lastMigratedAt, Instant now) {
    List<Host> hosts = new ArrayList<>();
    List<Vm> vms = new ArrayList<>();
    SignalHistory history = state.history();
    // a VM two hosts list for a moment (reports racing the end of a migration) is planned where it runs
    java.util.Map<String, String> vmHosts = state.vmHosts();
    for (HostState h : state.hosts()) {
      if (!h.connected() && h.power() == io.ferry.v1.PowerState.POWER_ON) {
        continue; // a host we cannot hear from is neither a source nor a destination this round
      }
      long memoryBytes = h.signals().getMemory().getTotalBytes() > 0 ? h.signals().getMemory().getTotalBytes()
          : h.facts().getMemoryBytes();
      int cores = Math.max(1, h.facts().getCpuCores());
      List<Disk> disks = new ArrayList<>();
      for (DiskHealth d : h.signals().getSmart().getDisksList()) {
        if (d.getStatus().getAvailable()) {
          disks.add(new Disk(d.getDevice(), d.getSmartPassed(), series(history.reallocated(h.name(), d.getDevice())),
              d.getPendingSectors(), d.getNvmeCriticalWarning() != 0,
              "nvme".equals(d.getProtocol()) ? d.getNvmePercentageUsed() : -1));
        }
      }
      hosts.add(new Host(h.name(), cores, Math.max(1, memoryBytes / MIB), h.facts().getCpuModel(),
          new HashSet<>(h.facts().getCpuFeaturesList()), h.facts().getLabelsMap(), power(h.power()), mode(h.mode()),
          series(history.cpu(h.name())), h.signals().getMemory().getUsedBytes() / MIB,
          series(history.temperature(h.name())), disks,
          h.facts().getHypervisorVersion().isEmpty() ? null : h.facts().getHypervisorVersion()));
      for (VmUsage v : h.vms()) {
        if (v.getState() == VmState.VM_MIGRATING_IN || !h.name().equals(vmHosts.get(v.getName()))) {
          continue;
        }
        vms.add(new Vm(v.getName(), h.name(), Math.max(1, v.getVcpus()), Math.max(1, v.getMemoryBytes() / MIB),
            Math.max(0, v.getCpuUsageCores()), Math.max(0, v.getMemoryUsedBytes() / MIB),
            Math.max(0, v.getDirtyRateBytesPerSecond() / MIB), v.getLabelsMap(),
            new HashSet<>(v.getCpuFeaturesList()), lastMigratedAt.apply(v.getName()).orElse(null),
            Math.max(0, v.getDiskBytes()) / MIB));
      }
    }
    List<MigrationInFlight> flying = new ArrayList<>();
    for (MigrationRecord m : inFlight) {
      flying.add(new MigrationInFlight(m.getStatus().getVm(), m.getStatus().getSourceHost(),
          m.getStatus().getDestinationHost()));
    }
    return new Snapshot(now, hosts, vms, flying);
  }

  private static TimeSeries series(List<SignalHistory.Point> points) {
    List<Sample> samples = new ArrayList<>();
    points.forEach(p -> samples.add(new Sample(p.at(), p.value())));
    return new TimeSeries(samples);
  }

  static PowerState power(io.ferry.v1.PowerState p) {
    return switch (p) {
      case POWER_STANDBY, POWER_SUSPENDING -> PowerState.STANDBY;
      case POWER_OFF -> PowerState.OFF;
      default -> PowerState.ON;
    };
  }

  static HostMode mode(io.ferry.v1.HostMode m) {
    return switch (m) {
      case HOST_MODE_MAINTENANCE -> HostMode.MAINTENANCE;
      case HOST_MODE_QUARANTINE -> HostMode.QUARANTINE;
      default -> HostMode.NORMAL;
    };
  }
}
