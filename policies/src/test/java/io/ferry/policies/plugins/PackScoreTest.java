package io.ferry.policies.plugins;

import static io.ferry.policies.plugins.PluginTestSupport.host;
import static io.ferry.policies.plugins.PluginTestSupport.model;
import static io.ferry.policies.plugins.PluginTestSupport.vm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.ferry.policies.cluster.ClusterModel;
import org.junit.jupiter.api.Test;

class PackScoreTest {
    @Test
    void prefersTheDestinationLeftMostLoaded() {
        ClusterModel m = model(ScoreFixture.cluster());
        int v = vm(m, "v");

        double empty = new PackScore().score(m, v, host(m, "empty"));
        double half = new PackScore().score(m, v, host(m, "half"));

        assertThat(half).isGreaterThan(empty).isBetween(0.0, 1.0);
        assertThat(half).isCloseTo(0.6, within(1e-9)); // 0.6 * 0.6 cpu + 0.4 * 0.6 memory
    }
}
