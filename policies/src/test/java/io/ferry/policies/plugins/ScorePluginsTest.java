package io.ferry.policies.plugins;

import static io.ferry.policies.plugins.PluginTestSupport.host;
import static io.ferry.policies.plugins.PluginTestSupport.model;
import static io.ferry.policies.plugins.PluginTestSupport.vm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.ferry.policies.cluster.ClusterModel;
import io.ferry.policies.testkit.TestCluster;
import org.junit.jupiter.api.Test;

/** {@link SpreadScore} prefers empty destinations, {@link PackScore} full ones; both stay in 0..1. */
class ScorePluginsTest {
    @Test
    void spreadPrefersTheLeastLoadedAndPackTheMostLoaded() {
        TestCluster cluster = new TestCluster();
        cluster.host("src", 10, 100_000);
        cluster.host("empty", 10, 100_000);
        cluster.host("half", 10, 100_000);
        cluster.vm("v", "src", 1, 10_000).vm("load", "half", 5, 50_000);
        ClusterModel m = model(cluster);
        int v = vm(m, "v");

        double spreadEmpty = new SpreadScore().score(m, v, host(m, "empty"));
        double spreadHalf = new SpreadScore().score(m, v, host(m, "half"));
        double packEmpty = new PackScore().score(m, v, host(m, "empty"));
        double packHalf = new PackScore().score(m, v, host(m, "half"));

        assertThat(spreadEmpty).isGreaterThan(spreadHalf).isBetween(0.0, 1.0);
        assertThat(packHalf).isGreaterThan(packEmpty).isBetween(0.0, 1.0);
        assertThat(packHalf).isCloseTo(0.6, within(1e-9)); // 0.6 * 0.6 cpu + 0.4 * 0.6 memory
    }
}
