package io.ferry.cli.commands;

import java.util.concurrent.CountDownLatch;

/** Blocks a long-running role until Ctrl-C (or SIGTERM), then runs its clean-up exactly once. */
final class Waiter {
  private Waiter() {}

  static void untilShutdown(Runnable cleanUp) {
    CountDownLatch done = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      try {
        cleanUp.run();
      } finally {
        done.countDown();
      }
    }, "ferry-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      done.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
