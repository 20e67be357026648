package io.ferry.scheduler.state;

import io.ferry.v1.HostFacts;
import io.ferry.v1.HostMode;
import io.ferry.v1.HostSignals;
import io.ferry.v1.PowerState;
import io.ferry.v1.VmUsage;
import java.time.Instant;
import java.util.List;

/** What the leader knows about one host: the last report of its agent. Immutable; replaced on every report. */
public record HostState(HostFacts facts, HostSignals signals, List<VmUsage> vms, PowerState power, HostMode mode,
                        Instant lastReportAt, boolean connected, long lastSequence) {

  public String name() {
    return facts.getName();
  }

  public HostState disconnected() {
    return new HostState(facts, signals, vms, power, mode, lastReportAt, false, lastSequence);
  }
}
