package io.ferry.policies.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.ferry.policies.snapshot.Sample;
import io.ferry.policies.testkit.TestCluster;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrendTest {
    @Test
    void extrapolatesALine() {
        var series = TestCluster.ramp(TestCluster.NOW, Duration.ofMinutes(10), 50, 60);

        assertThat(Trend.predict(series.samples(), TestCluster.NOW.plus(Duration.ofMinutes(5))).getAsDouble())
                .isCloseTo(65, within(1e-9));
    }

    @Test
    void needsTwoDistinctInstants() {
        assertThat(Trend.predict(List.of(new Sample(TestCluster.NOW, 1)), TestCluster.NOW)).isEmpty();
        assertThat(Trend.predict(List.of(new Sample(TestCluster.NOW, 1), new Sample(TestCluster.NOW, 2)),
                TestCluster.NOW)).isEmpty();
    }
}
