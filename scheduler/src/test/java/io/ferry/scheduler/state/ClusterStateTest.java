package io.ferry.scheduler.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.scheduler.planning.SnapshotBuilder;
import io.ferry.v1.HostFacts;
import io.ferry.v1.HostReport;
import io.ferry.v1.Inventory;
import io.ferry.v1.VmState;
import io.ferry.v1.VmUsage;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A VM that two hosts list for a moment: the end of a migration seen in reports that race each other. */
class ClusterStateTest {
  private static final Instant T0 = Instant.parse("2026-11-27T00:00:00Z");

  private static HostReport inventory(String host, VmUsage... vms) {
    return HostReport.newBuilder().setHost(host).setInventory(Inventory.newBuilder()
        .setFacts(HostFacts.newBuilder().setName(host).setCpuCores(8).setMemoryBytes(16L << 30))
        .addAllVms(List.of(vms))).build();
  }

  private static VmUsage vm(String name, VmState state) {
    return VmUsage.newBuilder().setName(name).setState(state).setVcpus(1).setMemoryBytes(32L << 20).build();
  }

  @Test
  void vmListedByTwoHostsIsWhereTheNewestReportSaysItRuns() {
    ClusterState s = new ClusterState();
    s.apply(inventory("h1", vm("vm-1", VmState.VM_MIGRATING_OUT), vm("vm-2", VmState.VM_RUNNING)), T0);
    s.apply(inventory("h2", vm("vm-1", VmState.VM_RUNNING)), T0.plusSeconds(1));

    assertThat(s.hostOf("vm-1")).map(HostState::name).contains("h2");
    assertThat(s.vmHosts()).containsEntry("vm-1", "h2").containsEntry("vm-2", "h1");
    var snapshot = SnapshotBuilder.build(s, List.of(), vm -> Optional.empty(), T0.plusSeconds(2));
    assertThat(snapshot.vms()).filteredOn(v -> v.name().equals("vm-1")).singleElement()
        .satisfies(v -> assertThat(v.host()).isEqualTo("h2"));
  }

  @Test
  void aCopyThatRunsWinsOverAPausedOneEvenFromAnOlderReport() {
    ClusterState s = new ClusterState();
    s.apply(inventory("h2", vm("vm-1", VmState.VM_RUNNING)), T0);
    s.apply(inventory("h1", vm("vm-1", VmState.VM_PAUSED)), T0.plusSeconds(1));
    s.apply(inventory("h3", vm("vm-1", VmState.VM_MIGRATING_IN)), T0.plusSeconds(2));

    assertThat(s.hostOf("vm-1")).map(HostState::name).contains("h2");
    assertThat(s.vmHosts()).containsEntry("vm-1", "h2");
  }
}
