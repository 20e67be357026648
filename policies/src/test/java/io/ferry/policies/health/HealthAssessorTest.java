package io.ferry.policies.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.policies.model.FailureAvoidanceSettings;
import io.ferry.policies.snapshot.Disk;
import io.ferry.policies.snapshot.Host;
import io.ferry.policies.snapshot.Sample;
import io.ferry.policies.snapshot.TimeSeries;
import io.ferry.policies.testkit.TestCluster;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class HealthAssessorTest {
    private static final java.time.Instant NOW = TestCluster.NOW;
    private final HealthAssessor assessor = new HealthAssessor(FailureAvoidanceSettings.DEFAULTS);

    private static Host host(TimeSeries temperature, Disk... disks) {
        TestCluster c = new TestCluster();
        c.host("h", 8, 65536).temperature(temperature).disks(disks);
        return c.build().hosts().get(0);
    }

    @Test
    void evacuatesAboveEvacuateC() {
        HealthVerdict v = assessor.assess(host(TestCluster.flat(NOW, Duration.ofMinutes(10), 93)), NOW);

        assertThat(v.action()).isEqualTo(HealthVerdict.Action.EVACUATE);
        assertThat(v.trigger()).isEqualTo(HealthVerdict.Trigger.TEMPERATURE);
        assertThat(v.explanation()).isEqualTo("temperature 93.0 C > evacuateC 90.0 C");
    }

    @Test
    void evacuatesWhenTheTrendCrossesEvacuateCWithinThePredictWindow() {
        HealthVerdict v = assessor.assess(host(TestCluster.ramp(NOW, Duration.ofMinutes(10), 70, 85)), NOW);

        assertThat(v.action()).isEqualTo(HealthVerdict.Action.EVACUATE);
        assertThat(v.explanation()).isEqualTo("temperature 85.0 C rising, predicted 100.0 C within 10m > evacuateC 90.0 C");
    }

    @Test
    void warnOnlyQuarantines() {
        HealthVerdict v = assessor.assess(host(TestCluster.flat(NOW, Duration.ofMinutes(10), 82)), NOW);

        assertThat(v.action()).isEqualTo(HealthVerdict.Action.QUARANTINE);
        assertThat(v.explanation()).isEqualTo("temperature 82.0 C > warnC 80.0 C");
    }

    @Test
    void coolSteadyHostIsHealthy() {
        assertThat(assessor.assess(host(TestCluster.flat(NOW, Duration.ofMinutes(10), 60)), NOW))
                .isEqualTo(HealthVerdict.HEALTHY);
    }

    @Test
    void diskTriggersEvacuateWithTheirNumbers() {
        TimeSeries cool = TestCluster.flat(NOW, Duration.ofMinutes(10), 50);
        TimeSeries growing = new TimeSeries(List.of(new Sample(NOW.minus(Duration.ofHours(1)), 4),
                new Sample(NOW, 20)));

        assertThat(assessor.assess(host(cool, new Disk("sda", false, TimeSeries.EMPTY, 0, false, -1)), NOW)
                .explanation()).isEqualTo("disk sda: SMART overall health FAILED");
        assertThat(assessor.assess(host(cool, new Disk("sdb", true, growing, 0, false, -1)), NOW).explanation())
                .isEqualTo("disk sdb: reallocated sectors grew by 16 since 2026-11-26T22:00:00Z (threshold 10)");
        assertThat(assessor.assess(host(cool, new Disk("sdc", true, TimeSeries.EMPTY, 3, false, -1)), NOW)
                .explanation()).isEqualTo("disk sdc: 3 pending sectors (threshold 1)");
        assertThat(assessor.assess(host(cool, new Disk("nvme0", true, TimeSeries.EMPTY, 0, true, 10)), NOW)
                .explanation()).isEqualTo("disk nvme0: NVMe critical warning set");
        HealthVerdict worn = assessor.assess(host(cool, new Disk("nvme1", true, TimeSeries.EMPTY, 0, false, 97)), NOW);
        assertThat(worn.explanation()).isEqualTo("disk nvme1: NVMe 97% used (threshold 95%)");
        assertThat(worn.trigger()).isEqualTo(HealthVerdict.Trigger.SMART);
        assertThat(assessor.assess(host(cool, Disk.healthy("sdd")), NOW)).isEqualTo(HealthVerdict.HEALTHY);
    }

    @Test
    void disabledFailureAvoidanceSeesNothing() {
        HealthAssessor off = new HealthAssessor(new FailureAvoidanceSettings(false,
                FailureAvoidanceSettings.DEFAULTS.temperature(), FailureAvoidanceSettings.DEFAULTS.smart()));

        assertThat(off.assess(host(TestCluster.flat(NOW, Duration.ofMinutes(10), 99)), NOW))
                .isEqualTo(HealthVerdict.HEALTHY);
    }
}
