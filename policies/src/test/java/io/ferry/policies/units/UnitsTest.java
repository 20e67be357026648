package io.ferry.policies.units;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@link Durations} and {@link ByteSizes}. */
class UnitsTest {
    @Test
    void durationsNeedAUnit() {
        assertThat(Durations.parse("300ms")).contains(Duration.ofMillis(300));
        assertThat(Durations.parse("3m")).contains(Duration.ofMinutes(3));
        assertThat(Durations.parse("2h")).contains(Duration.ofHours(2));
        assertThat(Durations.parse("1d")).contains(Duration.ofDays(1));
        assertThat(Durations.parse("60")).isEmpty();
        assertThat(Durations.parse("1.5m")).isEmpty();
        assertThat(Durations.parse("3 minutes")).isEmpty();
        assertThat(Durations.format(Duration.ofSeconds(180))).isEqualTo("3m");
        assertThat(Durations.format(Duration.ofMillis(300))).isEqualTo("300ms");
    }

    @Test
    void ratesUseBinaryUnits() {
        assertThat(ByteSizes.parseRate("1GiB/s")).contains(1L << 30);
        assertThat(ByteSizes.parseRate("1.5GiB/s")).contains(3L << 29);
        assertThat(ByteSizes.parseRate("512MiB/s")).contains(512L << 20);
        assertThat(ByteSizes.parseRate("1GB/s")).isEmpty();
        assertThat(ByteSizes.parseRate("1GiB")).isEmpty();
        assertThat(ByteSizes.formatRate(1L << 30)).isEqualTo("1GiB/s");
        assertThat(ByteSizes.formatRate(1536L << 20)).isEqualTo("1536MiB/s");
    }
}
