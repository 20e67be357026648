package io.ferry.policies.plugins;

import static io.ferry.policies.plugins.PluginTestSupport.host;
import static io.ferry.policies.plugins.PluginTestSupport.model;
import static io.ferry.policies.plugins.PluginTestSupport.vm;
import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.policies.cluster.ClusterModel;
import io.ferry.policies.model.Rule;
import io.ferry.policies.model.RuleType;
import io.ferry.policies.model.SchedulingPolicy;
import io.ferry.policies.snapshot.Vm;
import io.ferry.policies.testkit.TestCluster;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link AntiAffinityFilter} and {@link HostAffinityFilter}. */
class AffinityFiltersTest {
    private static final SchedulingPolicy POLICY = SchedulingPolicy.defaults("t").withRules(List.of(
            new Rule("db-spread", RuleType.VM_ANTI_AFFINITY, Map.of("app", "db"), Map.of()),
            new Rule("gpu-only", RuleType.VM_HOST_AFFINITY, Map.of("tier", "gpu"), Map.of("gpu", "true"))));

    private static Vm labelled(String name, String host, Map<String, String> labels) {
        return new Vm(name, host, 1, 1024, 0.5, 1024, 1, labels, Set.of(), null);
    }

    @Test
    void antiAffinityRejectsHostAlreadyRunningAMatchingVmAndFollowsMoves() {
        TestCluster cluster = new TestCluster();
        cluster.host("a", 8, 65536);
        cluster.host("b", 8, 65536);
        cluster.host("c", 8, 65536);
        cluster.vm(labelled("db1", "a", Map.of("app", "db"))).vm(labelled("db2", "b", Map.of("app", "db")))
                .vm(labelled("web", "a", Map.of("app", "web")));
        ClusterModel m = model(cluster, POLICY);
        AntiAffinityFilter filter = new AntiAffinityFilter();

        assertThat(filter.filter(m, vm(m, "db1"), host(m, "b")).reason())
                .isEqualTo("rule db-spread: b already runs 1 VM(s) selected by {app=db}");
        assertThat(filter.filter(m, vm(m, "web"), host(m, "b")).passed()).isTrue();
        assertThat(filter.filter(m, vm(m, "db1"), host(m, "c")).passed()).isTrue();

        m.move(vm(m, "db2"), host(m, "c"));

        assertThat(filter.filter(m, vm(m, "db1"), host(m, "b")).passed()).isTrue();
        assertThat(filter.filter(m, vm(m, "db1"), host(m, "c")).passed()).isFalse();
    }

    @Test
    void hostAffinityAllowsOnlyMatchingHosts() {
        TestCluster cluster = new TestCluster();
        cluster.host("gpu1", 8, 65536).labels(Map.of("gpu", "true"));
        cluster.host("gpu2", 8, 65536).labels(Map.of("gpu", "true"));
        cluster.host("plain", 8, 65536);
        cluster.vm(labelled("train", "gpu1", Map.of("tier", "gpu"))).vm(labelled("web", "gpu1", Map.of()));
        ClusterModel m = model(cluster, POLICY);
        HostAffinityFilter filter = new HostAffinityFilter();

        assertThat(filter.filter(m, vm(m, "train"), host(m, "plain")).reason())
                .isEqualTo("rule gpu-only: plain does not match {gpu=true}");
        assertThat(filter.filter(m, vm(m, "train"), host(m, "gpu2")).passed()).isTrue();
        assertThat(filter.filter(m, vm(m, "web"), host(m, "plain")).passed()).isTrue();
    }
}
