package io.ferry.policies.plugins;

import static io.ferry.policies.plugins.PluginTestSupport.host;
import static io.ferry.policies.plugins.PluginTestSupport.model;
import static io.ferry.policies.plugins.PluginTestSupport.vm;
import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.policies.cluster.ClusterModel;
import io.ferry.policies.model.Limits;
import io.ferry.policies.model.SchedulingPolicy;
import io.ferry.policies.testkit.TestCluster;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConcurrencyFilterTest {
    private final ConcurrencyFilter filter = new ConcurrencyFilter();
    private final TestCluster cluster = new TestCluster();

    ConcurrencyFilterTest() {
        cluster.host("a", 8, 65536);
        cluster.host("b", 8, 65536);
        cluster.host("c", 8, 65536);
        cluster.vm("v1", "a", 1, 1024).vm("v2", "a", 1, 1024).vm("v3", "b", 1, 1024).vm("moving", "c", 1, 1024);
    }

    private static SchedulingPolicy limits(int cluster, int perHost, int perRound) {
        return SchedulingPolicy.defaults("t").withLimits(new Limits(cluster, perHost, perRound, Duration.ZERO));
    }

    @Test
    void countsMigrationsInFlightAgainstHostAndClusterCaps() {
        cluster.inFlight("moving", "c", "b");
        ClusterModel m = model(cluster, limits(2, 1, 10));

        assertThat(filter.filterVm(m, vm(m, "moving")).reason()).isEqualTo("moving is already migrating");
        assertThat(filter.filter(m, vm(m, "v1"), host(m, "b")).reason())
                .isEqualTo("host cap: b has 1 migrations (maxConcurrentPerHost 1)");
        assertThat(filter.filterVm(m, vm(m, "v3")).passed()).isFalse();
        assertThat(filter.filterVm(m, vm(m, "v1")).passed()).isTrue();

        m.move(vm(m, "v1"), host(m, "c"));

        assertThat(filter.filterVm(m, vm(m, "v2")).reason())
                .isEqualTo("cluster cap: 2 migrations in flight or planned (maxConcurrentMigrations 2)");
    }

    @Test
    void roundCapCountsOnlyPlannedMoves() {
        cluster.inFlight("moving", "c", "b");
        ClusterModel m = model(cluster, limits(10, 5, 1));
        assertThat(filter.filterVm(m, vm(m, "v1")).passed()).isTrue();

        m.move(vm(m, "v1"), host(m, "b"));

        assertThat(filter.filterVm(m, vm(m, "v2")).reason())
                .isEqualTo("round cap: 1 moves planned (maxMovesPerRound 1)");
    }
}
