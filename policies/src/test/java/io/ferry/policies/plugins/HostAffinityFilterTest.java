package io.ferry.policies.plugins;

import static io.ferry.policies.plugins.PluginTestSupport.host;
import static io.ferry.policies.plugins.PluginTestSupport.model;
import static io.ferry.policies.plugins.PluginTestSupport.vm;
import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.policies.cluster.ClusterModel;
import io.ferry.policies.testkit.TestCluster;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HostAffinityFilterTest {
    @Test
    void hostAffinityAllowsOnlyMatchingHosts() {
        TestCluster cluster = new TestCluster();
        cluster.host("gpu1", 8, 65536).labels(Map.of("gpu", "true"));
        cluster.host("gpu2", 8, 65536).labels(Map.of("gpu", "true"));
        cluster.host("plain", 8, 65536);
        cluster.vm(PluginTestSupport.labelled("train", "gpu1", Map.of("tier", "gpu"))).vm(PluginTestSupport.labelled("web", "gpu1", Map.of()));
        ClusterModel m = model(cluster, PluginTestSupport.RULES);
        HostAffinityFilter filter = new HostAffinityFilter();

        assertThat(filter.filter(m, vm(m, "train"), host(m, "plain")).reason())
                .isEqualTo("rule gpu-only: plain does not match {gpu=true}");
        assertThat(filter.filter(m, vm(m, "train"), host(m, "gpu2")).passed()).isTrue();
        assertThat(filter.filter(m, vm(m, "web"), host(m, "plain")).passed()).isTrue();
    }
}
