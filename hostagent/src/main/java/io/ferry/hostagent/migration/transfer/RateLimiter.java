package io.ferry.hostagent.migration.transfer;

import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Token bucket for the migration bandwidth cap, shared by all streams of one migration. Holds at most
 * {@code burstBytes}; {@link #acquire} waits (via the injected {@link Waiter}) until enough tokens accrued.
 * A rate of 0 means unlimited.
 */
public final class RateLimiter {
  private final long bytesPerSecond;
  private final long burstBytes;
  private final LongSupplier ticker;
  private final Waiter waiter;
  private double tokens;
  private long lastNanos;

  public RateLimiter(long bytesPerSecond, LongSupplier ticker, Waiter waiter) {
    if (bytesPerSecond < 0) {
      throw new IllegalArgumentException("bandwidth must be >= 0 bytes/s, got " + bytesPerSecond);
    }
    this.bytesPerSecond = bytesPerSecond;
    this.burstBytes = Math.max(bytesPerSecond / 20, 1 << 20);
    this.ticker = ticker;
    this.waiter = waiter;
    this.lastNanos = ticker.getAsLong();
    this.tokens = burstBytes;
  }

  public static RateLimiter unlimited() {
    return new RateLimiter(0, () -> 0, nanos -> { });
  }

  public long bytesPerSecond() {
    return bytesPerSecond;
  }

  /** Takes {@code bytes} tokens, waiting as needed. Returns false, without taking them, once {@code stop} says so. */
  public boolean acquire(long bytes, BooleanSupplier stop) {
    if (bytesPerSecond == 0) {
      return !stop.getAsBoolean();
    }
    while (true) {
      long waitNanos;
      synchronized (this) {
        refill();
        if (tokens >= Math.min(bytes, burstBytes)) {
          tokens -= bytes;
          return true;
        }
        waitNanos = (long) ((Math.min(bytes, burstBytes) - tokens) * 1e9 / bytesPerSecond);
      }
      if (stop.getAsBoolean()) {
        return false;
      }
      waiter.waitNanos(Math.max(waitNanos, 10_000));
    }
  }

  private void refill() {
    long now = ticker.getAsLong();
    tokens = Math.min(burstBytes, tokens + (now - lastNanos) * (double) bytesPerSecond / 1e9);
    lastNanos = now;
  }
}
