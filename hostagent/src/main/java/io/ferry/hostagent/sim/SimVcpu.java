package io.ferry.hostagent.sim;

import java.nio.ByteBuffer;
import java.util.concurrent.locks.LockSupport;

/**
 * One sim vCPU: every tick it dirties the pages (and disk blocks) its workload owes for the elapsed running time,
 * rewriting {@link SimVm#bytesPerWrite()} bytes of each page it dirties, and vCPU 0 increments the guest's progress counter at page 0, offset 0. Throttling (auto-converge) parks the vCPU
 * for a share of each tick, which slows both dirtying and progress, as on real hardware.
 */
final class SimVcpu implements Runnable {
  private static final int MAX_PAGES_PER_TICK = 8192;

  private final SimVm vm;
  private final int index;
  private final PagePicker pages;
  private final double pagesPerSecond;
  private final double blocksPerSecond;
  private final PagePicker blocks;
  private final int longsPerWrite;
  private final ByteBuffer blockBuffer = ByteBuffer.allocate(SimDisk.BLOCK_BYTES);
  private long writes;

  SimVcpu(SimVm vm, int index, PagePicker pages, double pagesPerSecond, PagePicker blocks, double blocksPerSecond) {
    this.vm = vm;
    this.index = index;
    this.longsPerWrite = vm.bytesPerWrite() / 8;
    this.pages = pages;
    this.pagesPerSecond = pagesPerSecond;
    this.blocks = blocks;
    this.blocksPerSecond = blocksPerSecond;
  }

  long sweepCursor() {
    return pages.cursor();
  }

  @Override
  public void run() {
    VcpuGate gate = vm.gate();
    long last = vm.ticker().getAsLong();
    double owedPages = 0;
    double owedBlocks = 0;
    while (true) {
      if (gate.mode() != VcpuGate.Mode.RUN) {
        if (!gate.awaitRunnable()) {
          return;
        }
        last = vm.ticker().getAsLong();
      }
      long now = vm.ticker().getAsLong();
      double runSeconds = (now - last) / 1e9 * (1 - vm.throttleRatio());
      last = now;
      owedPages = Math.min(owedPages + pagesPerSecond * runSeconds, MAX_PAGES_PER_TICK);
      owedBlocks = Math.min(owedBlocks + blocksPerSecond * runSeconds, 256);
      for (; owedPages >= 1 && gate.running(); owedPages--) {
        long page = pages.next();
        writes++;
        if (!vm.simMemory().guestWriteRun(page, (int) ((writes * 8) & (SimMemory.PAGE_BYTES - 1)), longsPerWrite,
            writes * 0x9E3779B97F4A7C15L, gate::running)) {
          break;
        }
      }
      for (; owedBlocks >= 1 && gate.running() && vm.disk() != null; owedBlocks--) {
        blockBuffer.clear();
        blockBuffer.putLong(0, ++writes).putLong(8, index);
        vm.disk().guestWrite(blocks.next(), blockBuffer);
      }
      if (index == 0 && gate.running()) {
        vm.stepProgress();
      }
      LockSupport.parkNanos(vm.tickNanos());
      double throttle = vm.throttleRatio();
      if (throttle > 0) {
        LockSupport.parkNanos((long) (vm.tickNanos() * throttle / (1 - throttle)));
      }
    }
  }
}
