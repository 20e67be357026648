package io.ferry.hostagent.agent;

import io.ferry.hostagent.signals.HostSampler;
import io.ferry.v1.HostFacts;
import io.ferry.v1.HostSignals;
import io.ferry.v1.VmUsage;
import java.util.List;
import java.util.function.Supplier;

/**
 * The inventory of a real Linux host: facts and signals from the /proc, /sys and smartctl samplers, VMs from the
 * hypervisor driver. SMART runs on its own slow schedule; reports use its cached value.
 */
public final class RealHostInventory implements InventorySource {
  private final HostSampler sampler;
  private final HostFacts facts;
  private final Supplier<List<VmUsage>> vms;

  /** @param agentFacts what the agent knows itself (name, endpoint, hypervisor, labels); the samplers add the rest */
  public RealHostInventory(HostSampler sampler, HostFacts agentFacts, Supplier<List<VmUsage>> vms) {
    this.sampler = sampler;
    HostFacts probed = sampler.facts();
    this.facts = probed.toBuilder().mergeFrom(agentFacts)
        .setCpuCores(probed.getCpuCores() > 0 ? probed.getCpuCores() : agentFacts.getCpuCores())
        .setMemoryBytes(probed.getMemoryBytes() > 0 ? probed.getMemoryBytes() : agentFacts.getMemoryBytes())
        .build();
    this.vms = vms;
  }

  @Override
  public HostFacts facts() {
    return facts;
  }

  @Override
  public HostSignals sampleSignals() {
    return sampler.sampleWithCachedSmart();
  }

  @Override
  public List<VmUsage> vms() {
    return vms.get();
  }
}
