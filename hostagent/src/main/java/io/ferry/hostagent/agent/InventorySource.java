package io.ferry.hostagent.agent;

import io.ferry.v1.HostFacts;
import io.ferry.v1.HostSignals;
import io.ferry.v1.VmUsage;
import java.util.List;

/** What the agent reports about its host: facts, current signals and the VMs running here. */
public interface InventorySource {
  HostFacts facts();

  HostSignals sampleSignals();

  List<VmUsage> vms();
}
