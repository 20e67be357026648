package io.ferry.policies.plugins;

import static io.ferry.policies.plugins.PluginTestSupport.host;
import static io.ferry.policies.plugins.PluginTestSupport.model;
import static io.ferry.policies.plugins.PluginTestSupport.vm;
import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.policies.cluster.ClusterModel;
import io.ferry.policies.testkit.TestCluster;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AntiAffinityFilterTest {
    @Test
    void antiAffinityRejectsHostAlreadyRunningAMatchingVmAndFollowsMoves() {
        TestCluster cluster = new TestCluster();
        cluster.host("a", 8, 65536);
        cluster.host("b", 8, 65536);
        cluster.host("c", 8, 65536);
        cluster.vm(PluginTestSupport.labelled("db1", "a", Map.of("app", "db"))).vm(PluginTestSupport.labelled("db2", "b", Map.of("app", "db")))
                .vm(PluginTestSupport.labelled("web", "a", Map.of("app", "web")));
        ClusterModel m = model(cluster, PluginTestSupport.RULES);
        AntiAffinityFilter filter = new AntiAffinityFilter();

        assertThat(filter.filter(m, vm(m, "db1"), host(m, "b")).reason())
                .isEqualTo("rule db-spread: b already runs 1 VM(s) selected by {app=db}");
        assertThat(filter.filter(m, vm(m, "web"), host(m, "b")).passed()).isTrue();
        assertThat(filter.filter(m, vm(m, "db1"), host(m, "c")).passed()).isTrue();

        m.move(vm(m, "db2"), host(m, "c"));

        assertThat(filter.filter(m, vm(m, "db1"), host(m, "b")).passed()).isTrue();
        assertThat(filter.filter(m, vm(m, "db1"), host(m, "c")).passed()).isFalse();
    }
}
