package io.ferry.policies.plugins;

import static io.ferry.policies.plugins.PluginTestSupport.host;
import static io.ferry.policies.plugins.PluginTestSupport.model;
import static io.ferry.policies.plugins.PluginTestSupport.vm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.ferry.policies.cluster.ClusterModel;
import org.junit.jupiter.api.Test;

class SpreadScoreTest {
    @Test
    void prefersTheDestinationLeftLeastLoaded() {
        ClusterModel m = model(ScoreFixture.cluster());
        int v = vm(m, "v");

        double empty = new SpreadScore().score(m, v, host(m, "empty"));
        double half = new SpreadScore().score(m, v, host(m, "half"));

        assertThat(empty).isGreaterThan(half).isBetween(0.0, 1.0);
        assertThat(half).isCloseTo(0.4, within(1e-9)); // 1 - (0.6 * 0.6 cpu + 0.4 * 0.6 memory)
    }
}
