package io.ferry.hostagent.sim;

import static io.ferry.hostagent.sim.SimHypervisorTest.awaitCounter;
import static io.ferry.hostagent.sim.SimHypervisorTest.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.hostagent.hypervisor.PageAccess;
import io.ferry.hostagent.hypervisor.VirtualMachine;
import io.ferry.hostagent.hypervisor.VmEventLog;
import io.ferry.v1.VmState;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Durable sim VMs outlive the process that ran them, as QEMU VMs outlive their agent, and are adopted after it. */
class DurableSimVmTest {
  @TempDir Path dir;
  VmEventLog events = VmEventLog.inMemory();

  private SimHypervisor hypervisor() {
    return SimHypervisor.create("h1", dir, events).durable();
  }

  @Test
  void runningVmIsAdoptedWithItsMemoryAndKeepsCounting() throws Exception {
    SimHypervisor first = hypervisor();
    VirtualMachine vm = first.define(spec("vm", 1 << 20));
    vm.start();
    awaitCounter(vm, 20);
    ByteBuffer page = ByteBuffer.allocate(4096);
    ((PageAccess) vm.migrationSupport()).memory().readPage(1000, page);
    first.close(); // the agent process goes away; the VM does not stop
    long counter = vm.progressCounter();

    SimHypervisor second = hypervisor();
    try {
      assertThat(second.adopt()).containsExactly("vm");
      VirtualMachine adopted = second.find("vm").orElseThrow();
      assertThat(adopted.state()).isEqualTo(VmState.VM_RUNNING);
      assertThat(adopted.progressCounter()).isGreaterThanOrEqualTo(counter);
      awaitCounter(adopted, counter + 20);
      ByteBuffer again = ByteBuffer.allocate(4096);
      ((PageAccess) adopted.migrationSupport()).memory().readPage(1000, again);
      assertThat(again.array()).isEqualTo(page.array());
      assertThat(VmEventLog.findOverlap(events.events())).isEmpty();
    } finally {
      second.close();
    }
  }

  @Test
  void pausedVmStaysPausedAndStoppedOneStaysDefined() throws Exception {
    SimHypervisor first = hypervisor();
    VirtualMachine paused = first.define(spec("paused", 0));
    paused.start();
    awaitCounter(paused, 5);
    paused.pause();
    first.define(spec("stopped", 0));
    first.close();

    SimHypervisor second = hypervisor();
    try {
      assertThat(second.adopt()).containsExactly("paused", "stopped");
      assertThat(second.find("paused").orElseThrow().state()).isEqualTo(VmState.VM_PAUSED);
      assertThat(second.find("stopped").orElseThrow().state()).isEqualTo(VmState.VM_STOPPED);
      long before = second.find("paused").orElseThrow().progressCounter();
      Thread.sleep(30);
      assertThat(second.find("paused").orElseThrow().progressCounter()).isEqualTo(before);
    } finally {
      second.close();
    }
  }

  @Test
  void incomingCopyIsLeftoverUntilStartedAndAdoptedRunningAfterwards() throws Exception {
    SimHypervisor first = hypervisor();
    first.defineIncoming(spec("half", 0));
    VirtualMachine switched = first.defineIncoming(spec("switched", 0));
    switched.start();
    first.close();

    SimHypervisor second = hypervisor();
    try {
      assertThat(second.adopt()).containsExactly("switched");
      assertThat(second.find("switched").orElseThrow().state()).isEqualTo(VmState.VM_RUNNING);
      assertThat(second.discardIncomingLeftovers()).containsExactly("half");
    } finally {
      second.close();
    }
  }

  @Test
  void destroyedVmLeavesNothingToAdopt() {
    SimHypervisor first = hypervisor();
    VirtualMachine vm = first.define(spec("gone", 0));
    vm.start();
    vm.destroy();
    first.close();

    assertThat(Files.exists(dir.resolve("vms").resolve("gone"))).isFalse();
    SimHypervisor second = hypervisor();
    try {
      assertThat(second.adopt()).isEmpty();
    } finally {
      second.close();
    }
  }
}
