package io.ferry.scheduler.loop;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that owns the scheduler's mutable state. ZooKeeper, Helix and gRPC callbacks only enqueue
 * work here and return.
 */
public final class SchedulerLoop implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SchedulerLoop.class);
  private final ScheduledExecutorService executor;
  private volatile Thread loopThread;

  public SchedulerLoop(String name) {
    this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, name + "-loop");
      t.setDaemon(true);
      loopThread = t;
      return t;
    });
  }

  /** Runs {@code task} on the loop; a failure is logged, never lost silently, and never kills the loop. */
  public void execute(String what, Runnable task) {
    try {
      executor.execute(() -> runLogged(what, task));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      log.debug("{} dropped: the scheduler is stopping", what);
    }
  }

  public ScheduledFuture<?> every(String what, long periodMillis, Runnable task) {
    return executor.scheduleWithFixedDelay(() -> runLogged(what, task), periodMillis, periodMillis,
        TimeUnit.MILLISECONDS);
  }

  /** Runs {@code task} on the loop and waits for its result (for read-only queries from other threads). */
  public <T> T call(Callable<T> task, long timeoutMillis) {
    if (Thread.currentThread() == loopThread) {
      try {
        return task.call();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    try {
      return executor.submit(task).get(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("scheduler loop did not answer: " + e.getMessage(), e);
    }
  }

  private static void runLogged(String what, Runnable task) {
    try {
      task.run();
    } catch (RuntimeException e) {
      log.error("{} failed; the loop goes on", what, e);
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
