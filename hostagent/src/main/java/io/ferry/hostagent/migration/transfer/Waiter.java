package io.ferry.hostagent.migration.transfer;

import java.util.concurrent.locks.LockSupport;

/** How a thread waits for time to pass; tests replace it with one that advances a fake ticker. */
@FunctionalInterface
public interface Waiter {
  void waitNanos(long nanos);

  Waiter PARK = LockSupport::parkNanos;
}
