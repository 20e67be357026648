package io.ferry.hostagent.migration.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
  @Test
  void capsThroughputToTheConfiguredRateOnAFakeClock() {
    AtomicLong now = new AtomicLong();
    RateLimiter limiter = new RateLimiter(10 << 20, now::get, now::addAndGet);

    for (int i = 0; i < 100; i++) {
      assertThat(limiter.acquire(1 << 20, () -> false)).isTrue();
    }

    // 100 MiB at 10 MiB/s, less the initial 1 MiB burst: about 9.9 s of fake time
    assertThat(now.get() / 1e9).isBetween(9.8, 10.0);
  }

  @Test
  void unlimitedNeverWaits() {
    RateLimiter limiter = RateLimiter.unlimited();
    assertThat(limiter.acquire(1L << 40, () -> false)).isTrue();
  }

  @Test
  void givesUpWhenStopped() {
    AtomicLong now = new AtomicLong();
    RateLimiter limiter = new RateLimiter(1 << 20, now::get, now::addAndGet);
    limiter.acquire(1 << 20, () -> false);
    assertThat(limiter.acquire(1 << 20, () -> true)).isFalse();
  }
}
