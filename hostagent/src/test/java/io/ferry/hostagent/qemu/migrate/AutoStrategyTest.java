package io.ferry.hostagent.qemu.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AutoStrategyTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final long MiB = 1 << 20;

  static Instant at(long millis) {
    return T0.plusMillis(millis);
  }

  @Test
  void aShrinkingMigrationIsLeftAlone() {
    AutoStrategy a = new AutoStrategy(Duration.ofMillis(300), Duration.ofMillis(1200), Duration.ofSeconds(1), true);
    long remaining = 1000 * MiB;
    for (int i = 0; i < 20; i++) {
      assertInstanceOf(AutoStrategy.Action.None.class, a.sample(at(i * 500L), remaining, 1 + i / 2));
      remaining = remaining * 8 / 10;
    }
  }

  @Test
  void aStalledMigrationRaisesTheDowntimeLimitInStepsThenSwitchesToPostCopy() {
    AutoStrategy a = new AutoStrategy(Duration.ofMillis(300), Duration.ofMillis(1200), Duration.ofSeconds(1), true);
    a.sample(at(0), 40 * MiB, 2);
    assertInstanceOf(AutoStrategy.Action.None.class, a.sample(at(500), 39 * MiB, 3));
    assertEquals(new AutoStrategy.Action.RaiseDowntime(Duration.ofMillis(600)), a.sample(at(1000), 39 * MiB, 4));
    assertEquals(new AutoStrategy.Action.RaiseDowntime(Duration.ofMillis(1200)), a.sample(at(2000), 41 * MiB, 5));
    assertInstanceOf(AutoStrategy.Action.StartPostCopy.class, a.sample(at(3000), 40 * MiB, 6));
    assertInstanceOf(AutoStrategy.Action.None.class, a.sample(at(4000), 40 * MiB, 7));
  }

  @Test
  void withoutPostCopyItStopsAtTheMaximumDowntimeAndLeavesItToAutoConverge() {
    AutoStrategy a = new AutoStrategy(Duration.ofMillis(300), Duration.ofMillis(500), Duration.ofSeconds(1), false);
    a.sample(at(0), 40 * MiB, 2);
    assertEquals(new AutoStrategy.Action.RaiseDowntime(Duration.ofMillis(500)), a.sample(at(1000), 40 * MiB, 3));
    assertInstanceOf(AutoStrategy.Action.None.class, a.sample(at(2000), 40 * MiB, 4));
  }
}
