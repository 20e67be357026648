package io.ferry.hostagent.signals.sim;

import com.google.protobuf.Timestamp;
import io.ferry.v1.CpuSignal;
import io.ferry.v1.DiskHealth;
import io.ferry.v1.HostFacts;
import io.ferry.v1.HostSignals;
import io.ferry.v1.MemorySignal;
import io.ferry.v1.NetworkSignal;
import io.ferry.v1.SignalStatus;
import io.ferry.v1.SmartSignal;
import io.ferry.v1.TemperatureSensor;
import io.ferry.v1.TemperatureSignal;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The signals of a simulated host, in the same {@link HostSignals} shape a real host reports: CPU and memory from
 * the demand of its VMs, temperature from a {@link ThermalModel} driven by that load, SMART counters per disk, and
 * whatever a scenario does on top ({@link HostModifiers}). Time comes from the injected clock. Not thread-safe: one
 * sampling loop owns it.
 */
public final class SimHost {
  private static final SignalStatus AVAILABLE = SignalStatus.newBuilder().setAvailable(true).build();
  private static final String SENSOR = "sim/package";

  /** Shape of a simulated host; validated eagerly. Disks named nvme* report as NVMe drives, others as ATA. */
  public record Spec(String name, int cores, long memoryBytes, List<String> disks, ThermalModel.Parameters thermal,
      double idleWatts, double maxWatts) {
    public Spec {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(thermal, "thermal");
      disks = List.copyOf(disks);
      if (cores <= 0 || memoryBytes <= 0) {
        throw new IllegalArgumentException("sim host " + name + ": cores and memory must be positive, got "
            + cores + " cores and " + memoryBytes + " bytes");
      }
      if (idleWatts < 0 || maxWatts < idleWatts) {
        throw new IllegalArgumentException("sim host " + name + ": need 0 <= idleWatts <= maxWatts, got "
            + idleWatts + " and " + maxWatts);
      }
    }

    /** A typical two-socket KVM host with two disks. */
    public static Spec typical(String name) {
      return new Spec(name, 32, 256L << 30, List.of("sda", "nvme0"), ThermalModel.Parameters.DEFAULT, 120, 450);
    }
  }

  private final Spec spec;
  private final Clock clock;
  private final ThermalModel thermal;

  public SimHost(Spec spec, Clock clock) {
    this.spec = Objects.requireNonNull(spec, "spec");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.thermal = new ThermalModel(spec.thermal(), clock.instant());
  }

  /**
   * Signals now, given the VMs' nominal CPU demand (cores; scaled here by the scenario's load multiplier) and their
   * memory demand, both capped at the host's capacity.
   */
  public HostSignals sample(double cpuDemandCores, long memoryDemandBytes, HostModifiers modifiers) {
    Instant now = clock.instant();
    double utilization = Math.max(0, Math.min(1, cpuDemandCores * modifiers.loadMultiplier() / spec.cores()));
    double celsius = modifiers.temperatureCelsius(thermal.advanceTo(now, utilization));
    long usedBytes = Math.max(0, Math.min(spec.memoryBytes(), memoryDemandBytes));
    Timestamp at = Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()).build();
    SmartSignal.Builder smart = SmartSignal.newBuilder().setStatus(AVAILABLE);
    for (String disk : spec.disks()) {
      smart.addDisks(disk(disk, modifiers.smart(disk), at));
    }
    return HostSignals.newBuilder()
        .setSampledAt(at)
        .setCpu(CpuSignal.newBuilder().setStatus(AVAILABLE).setUtilizationRatio(utilization).setCores(spec.cores())
            .setLoad1(utilization * spec.cores()))
        .setMemory(MemorySignal.newBuilder().setStatus(AVAILABLE).setTotalBytes(spec.memoryBytes())
            .setUsedBytes(usedBytes).setAvailableBytes(spec.memoryBytes() - usedBytes))
        .setTemperature(TemperatureSignal.newBuilder().setStatus(AVAILABLE).setHeadlineCelsius(celsius)
            .addSensors(TemperatureSensor.newBuilder().setSensor(SENSOR).setLabel("Package id 0").setCelsius(celsius)
                .setMaxCelsius(85).setCritCelsius(100).setCpuPackage(true)))
        .setSmart(smart)
        .setNetwork(NetworkSignal.newBuilder().setStatus(SignalStatus.newBuilder().setAvailable(false)
            .setReason("network is not simulated")))
        .setPowerWatts(spec.idleWatts() + (spec.maxWatts() - spec.idleWatts()) * utilization)
        .build();
  }

  /** Facts of the simulated host: a sim hypervisor with the spec's cores and memory. */
  public HostFacts facts() {
    return HostFacts.newBuilder().setName(spec.name()).setCpuModel("Ferry simulated CPU").setCpuCores(spec.cores())
        .setMemoryBytes(spec.memoryBytes()).setHypervisor("sim").setHypervisorVersion("1").setAccelerator("sim")
        .setKernel("sim").build();
  }

  private static DiskHealth disk(String name, SmartDelta delta, Timestamp at) {
    boolean passed = delta.smartPassed().orElse(true);
    DiskHealth.Builder disk = DiskHealth.newBuilder().setDevice(name).setModel("Ferry simulated disk")
        .setProtocol(name.startsWith("nvme") ? "nvme" : "ata").setStatus(AVAILABLE).setSmartPassed(passed)
        .setReallocatedSectors(delta.reallocatedSectors()).setPendingSectors(delta.pendingSectors())
        .setOfflineUncorrectable(delta.offlineUncorrectable()).setSampledAt(at);
    if (!passed) {
      disk.addSmartctlFlags("SMART status: disk failing");
    }
    if (name.startsWith("nvme")) {
      // A simulated NVMe drive: a little wear, full spare, a critical warning only when forced to fail.
      disk.setNvmePercentageUsed(3).setNvmeAvailableSpare(100).setNvmeAvailableSpareThreshold(10)
          .setNvmeCriticalWarning(passed ? 0 : 1);
    }
    return disk.build();
  }
}
