package io.ferry.hostagent.migration;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.hostagent.migration.ConvergencePolicy.Action;
import io.ferry.hostagent.migration.ConvergencePolicy.Round;
import io.ferry.v1.MigrationStrategy;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConvergencePolicyTest {
  static final double MB = 1 << 20;
  static final Duration DOWNTIME = Duration.ofMillis(300);

  @Test
  void switchesOverWhenRemainingFitsTheDowntime() {
    ConvergencePolicy p = new ConvergencePolicy(MigrationStrategy.PRE_COPY, false, DOWNTIME, 10);
    assertThat(p.next(new Round(1, (long) (2 * MB), (long) (50 * MB), 100 * MB, 10 * MB)).action())
        .isEqualTo(Action.SWITCHOVER);
  }

  @Test
  void preCopyGivesUpAfterTheRoundLimit() {
    ConvergencePolicy p = new ConvergencePolicy(MigrationStrategy.PRE_COPY, false, DOWNTIME, 3);
    assertThat(p.next(new Round(1, (long) (90 * MB), (long) (100 * MB), 100 * MB, 200 * MB)).action())
        .isEqualTo(Action.CONTINUE);
    assertThat(p.next(new Round(3, (long) (90 * MB), (long) (90 * MB), 100 * MB, 200 * MB)).action())
        .isEqualTo(Action.GIVE_UP);
  }

  @Test
  void autoConvergeRaisesTheThrottleInSteps() {
    ConvergencePolicy p = new ConvergencePolicy(MigrationStrategy.AUTO_CONVERGE, false, DOWNTIME, 10);
    var first = p.next(new Round(1, (long) (90 * MB), (long) (90 * MB), 100 * MB, 200 * MB));
    var second = p.next(new Round(2, (long) (90 * MB), (long) (90 * MB), 100 * MB, 200 * MB));
    assertThat(first.action()).isEqualTo(Action.THROTTLE);
    assertThat(first.throttle()).isEqualTo(0.2);
    assertThat(second.throttle()).isEqualTo(0.3, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void autoEscalatesToPostCopyOnlyWhenAllowed() {
    ConvergencePolicy allowed = new ConvergencePolicy(MigrationStrategy.AUTO, true, DOWNTIME, 10);
    ConvergencePolicy denied = new ConvergencePolicy(MigrationStrategy.AUTO, false, DOWNTIME, 10);
    Round stalled1 = new Round(1, (long) (90 * MB), (long) (90 * MB), 100 * MB, 200 * MB);
    Round stalled2 = new Round(2, (long) (90 * MB), (long) (90 * MB), 100 * MB, 200 * MB);

    allowed.next(stalled1);
    denied.next(stalled1);

    assertThat(allowed.next(stalled2).action()).isEqualTo(Action.POST_COPY);
    var d = denied.next(stalled2);
    assertThat(d.action()).isEqualTo(Action.THROTTLE);
    assertThat(d.strategyInUse()).isEqualTo(MigrationStrategy.AUTO_CONVERGE);
  }
}
