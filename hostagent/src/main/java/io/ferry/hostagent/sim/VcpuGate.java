package io.ferry.hostagent.sim;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Where a sim VM's vCPU threads ask whether they may run: {@link #pauseAndWait()} returns once every vCPU is parked,
 * so the guest's memory and disks no longer change.
 */
final class VcpuGate {
  enum Mode { RUN, PAUSE, STOP }

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final int vcpus;
  private volatile Mode mode = Mode.PAUSE;
  private int parked;
  private int exited;

  VcpuGate(int vcpus) {
    this.vcpus = vcpus;
  }

  /** Called by a vCPU before each step; blocks while paused. Returns false when the vCPU must exit. */
  boolean awaitRunnable() {
    if (mode == Mode.RUN) {
      return true;
    }
    lock.lock();
    try {
      if (mode == Mode.PAUSE) {
        parked++;
        changed.signalAll();
        while (mode == Mode.PAUSE) {
          changed.awaitUninterruptibly();
        }
        parked--;
      }
      if (mode == Mode.STOP) {
        exited++;
        changed.signalAll();
        return false;
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  Mode mode() {
    return mode;
  }

  /** True while the guest should keep executing (a vCPU waiting for a post-copy page gives up otherwise). */
  boolean running() {
    return mode == Mode.RUN;
  }

  void run() {
    set(Mode.RUN);
  }

  void pauseAndWait() {
    lock.lock();
    try {
      mode = Mode.PAUSE;
      changed.signalAll();
      while (parked + exited < vcpus) {
        changed.awaitUninterruptibly();
      }
    } finally {
      lock.unlock();
    }
  }

  void stopAndWait() {
    lock.lock();
    try {
      mode = Mode.STOP;
      changed.signalAll();
      while (exited < vcpus) {
        changed.awaitUninterruptibly();
      }
    } finally {
      lock.unlock();
    }
  }

  private void set(Mode m) {
    lock.lock();
    try {
      mode = m;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
