package io.ferry.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.policies.snapshot.Host;
import io.ferry.policies.snapshot.Snapshot;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FirstFitDecreasingTest {
    @Test
    void packsNoWorseThanTheVolumeBoundAllows() {
        Snapshot s = SyntheticCluster.generate(3, 50, 400, true, false);
        Host size = s.hosts().get(0);
        double cpu = s.vms().stream().mapToDouble(v -> v.cpuUsageCores()).sum();

        int bins = FirstFitDecreasing.bins(s, 0.81);

        assertThat(bins).isGreaterThanOrEqualTo((int) Math.ceil(cpu / (0.81 * size.cpuCores())));
        assertThat(bins).isLessThanOrEqualTo(s.hosts().size());
    }

    @Test
    void syntheticClustersAreReproducibleAndUseBothHostSizes() {
        Snapshot a = SyntheticCluster.generate(5, 30, 200, false, true);
        Snapshot b = SyntheticCluster.generate(5, 30, 200, false, true);
        Set<Integer> sizes = new HashSet<>();
        a.hosts().forEach(h -> sizes.add(h.cpuCores()));

        assertThat(a).isEqualTo(b);
        assertThat(sizes).containsExactlyInAnyOrder(32, 64);
    }
}
