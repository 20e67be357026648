package io.ferry.policies.plugins;

import static io.ferry.policies.plugins.PluginTestSupport.host;
import static io.ferry.policies.plugins.PluginTestSupport.model;
import static io.ferry.policies.plugins.PluginTestSupport.vm;
import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.policies.cluster.ClusterModel;
import io.ferry.policies.testkit.TestCluster;
import org.junit.jupiter.api.Test;

class CapacityFilterTest {
    private final TestCluster cluster = new TestCluster();

    @Test
    void rejectsMemoryOverCommitCountingConfiguredMemory() {
        cluster.host("a", 32, 65536);
        cluster.host("b", 32, 65536);
        cluster.vm("big", "a", 1, 40000).vm("resident", "b", 1, 30000);
        ClusterModel m = model(cluster);

        FilterResult r = CapacityFilter.forBalance(0.85).filter(m, vm(m, "big"), host(m, "b"));

        assertThat(r.passed()).isFalse();
        assertThat(r.reason()).isEqualTo("b memory 30000 + 40000 > 65536 MiB");
    }

    @Test
    void rejectsCpuDemandAboveMaxHostUtilization() {
        cluster.host("a", 10, 65536);
        cluster.host("b", 10, 65536);
        cluster.vm("v", "a", 2, 1024).vm("busy", "b", 7, 1024);
        ClusterModel m = model(cluster);

        FilterResult r = CapacityFilter.forBalance(0.85).filter(m, vm(m, "v"), host(m, "b"));

        assertThat(r.reason()).isEqualTo("b CPU 7.00 + 2.00 cores > 0.85 of 10 cores");
    }

    @Test
    void acceptsExactlyAtTheLimits() {
        cluster.host("a", 10, 65536);
        cluster.host("b", 10, 65536);
        cluster.vm("v", "a", 1.5, 32768).vm("w", "b", 7, 32768);
        ClusterModel m = model(cluster);

        assertThat(CapacityFilter.forBalance(0.85).filter(m, vm(m, "v"), host(m, "b")).passed()).isTrue();
    }

    @Test
    void packingCapBoundsMemoryInUse() {
        cluster.host("a", 10, 100_000);
        cluster.host("b", 10, 100_000);
        cluster.vm("v", "a", 0.1, 20_000).vm("w", "b", 0.1, 70_000);
        ClusterModel m = model(cluster);

        FilterResult r = new CapacityFilter(0.81, 0.81).filter(m, vm(m, "v"), host(m, "b"));

        assertThat(r.reason()).isEqualTo("b memory in use 70000 + 20000 MiB > 0.81 of 100000 MiB");
    }
}
