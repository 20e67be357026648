package io.ferry.it.chaos;

import io.ferry.v1.AdminGrpc;
import io.ferry.v1.DrainRequest;
import io.ferry.v1.UndrainRequest;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keeps migrations flowing while faults are injected: drains one host after another (its VMs are evacuated) and
 * undrains the previous one (the balancer refills it). Commands that fail (no leader, say) are simply tried again
 * at the next step.
 */
final class LoadDriver implements AutoCloseable {
  private static final long STEP_MILLIS = 10_000;

  private final ClusterView view;
  private final List<String> hosts;
  private final Thread thread;
  private final AtomicInteger next = new AtomicInteger();
  private volatile boolean running;
  private volatile boolean closed;
  private volatile String drained;

  LoadDriver(ClusterView view, List<String> hosts) {
    this.view = view;
    this.hosts = hosts;
    this.thread = new Thread(this::loop, "chaos-load");
    thread.setDaemon(true);
    thread.start();
  }

  /** Starts draining (at once, then every step) until {@link #stop}. */
  synchronized void start() {
    running = true;
    step();
  }

  /** Stops rotating and undrains the host it drained; true once that host is in normal mode again. */
  synchronized boolean stop() {
    running = false;
    String h = drained;
    if (h == null) {
      return true;
    }
    if (undrain(h)) {
      drained = null;
      return true;
    }
    return false;
  }

  private void loop() {
    while (!closed) {
      try {
        Thread.sleep(STEP_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
      synchronized (this) {
        if (running) {
          step();
        }
      }
    }
  }

  private void step() {
    String previous = drained;
    if (previous != null && !undrain(previous)) {
      return;
    }
    drained = null;
    String h = hosts.get(next.getAndIncrement() % hosts.size());
    Optional<AdminGrpc.AdminBlockingStub> leader = view.leader();
    try {
      if (leader.isPresent()) {
        leader.get().drain(DrainRequest.newBuilder().setHost(h).build());
        drained = h;
      }
    } catch (StatusRuntimeException e) {
      // no leader right now, or the host is unknown to it: next step
    }
  }

  private boolean undrain(String h) {
    try {
      Optional<AdminGrpc.AdminBlockingStub> leader = view.leader();
      if (leader.isEmpty()) {
        return false;
      }
      leader.get().undrain(UndrainRequest.newBuilder().setHost(h).build());
      return true;
    } catch (StatusRuntimeException e) {
      return false;
    }
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
  }
}
