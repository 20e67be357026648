package io.ferry.hostagent.agent;

import com.google.protobuf.Timestamp;
import io.ferry.v1.CpuSignal;
import io.ferry.v1.HostFacts;
import io.ferry.v1.HostSignals;
import io.ferry.v1.MemorySignal;
import io.ferry.v1.SignalStatus;
import io.ferry.v1.VmUsage;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * Host facts and coarse signals from the JVM's view of the machine (cores, memory, system load), with no VMs.
 * Used until a hypervisor driver and the /proc samplers are plugged in.
 */
public final class BasicInventory implements InventorySource {
  private final HostFacts facts;
  private final Clock clock;

  public BasicInventory(HostFacts facts, Clock clock) {
    this.facts = facts;
    this.clock = clock;
  }

  @Override
  public HostFacts facts() {
    return facts;
  }

  @Override
  public HostSignals sampleSignals() {
    var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean();
    double cpu = os.getCpuLoad();
    long total = os.getTotalMemorySize();
    long free = os.getFreeMemorySize();
    Instant now = clock.instant();
    return HostSignals.newBuilder()
        .setSampledAt(Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))
        .setCpu(CpuSignal.newBuilder().setStatus(ok()).setUtilizationRatio(cpu < 0 ? 0 : cpu)
            .setCores(os.getAvailableProcessors()).setLoad1(os.getSystemLoadAverage()))
        .setMemory(MemorySignal.newBuilder().setStatus(ok()).setTotalBytes(total).setAvailableBytes(free)
            .setUsedBytes(total - free))
        .build();
  }

  private static SignalStatus ok() {
    return SignalStatus.newBuilder().setAvailable(true).build();
  }

  @Override
  public List<VmUsage> vms() {
    return List.of();
  }
}
