package io.ferry.hostagent.migration;

import io.ferry.hostagent.hypervisor.VirtualMachine;

/** Test helper: waiting for a guest to make progress. */
final class Await {
  private Await() {}

  /** Waits (polling, test only) until the guest counter reaches {@code atLeast}. */
  static void progress(VirtualMachine vm, long atLeast) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (vm.progressCounter() < atLeast) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("VM " + vm.name() + " made no progress: counter " + vm.progressCounter());
      }
      Thread.onSpinWait();
      Thread.sleep(5);
    }
  }
}
