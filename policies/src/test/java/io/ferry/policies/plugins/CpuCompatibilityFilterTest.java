package io.ferry.policies.plugins;

import static io.ferry.policies.plugins.PluginTestSupport.host;
import static io.ferry.policies.plugins.PluginTestSupport.model;
import static io.ferry.policies.plugins.PluginTestSupport.vm;
import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.policies.cluster.ClusterModel;
import io.ferry.policies.snapshot.Vm;
import io.ferry.policies.testkit.TestCluster;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CpuCompatibilityFilterTest {
    private final TestCluster cluster = new TestCluster();
    private final CpuCompatibilityFilter filter = new CpuCompatibilityFilter();

    @Test
    void rejectsHostLackingAFeatureTheVmUses() {
        cluster.host("a", 8, 65536).features("avx2", "avx512f");
        cluster.host("b", 8, 65536).features("avx2");
        cluster.vm(new Vm("v", "a", 2, 1024, 1, 1024, 1, Map.of(), Set.of("avx2", "avx512f"), null));
        ClusterModel m = model(cluster);

        FilterResult r = filter.filter(m, vm(m, "v"), host(m, "b"));

        assertThat(r.reason()).isEqualTo("b lacks CPU features [avx512f]");
    }

    @Test
    void rejectsOlderHypervisorAndComparesVersionsNumerically() {
        cluster.host("a", 8, 65536).hypervisor("7.10.0");
        cluster.host("b", 8, 65536).hypervisor("7.2.0");
        cluster.host("c", 8, 65536).hypervisor("8.0");
        cluster.vm("v", "a", 1, 1024);
        ClusterModel m = model(cluster);

        assertThat(filter.filter(m, vm(m, "v"), host(m, "b")).reason())
                .isEqualTo("b hypervisor 7.2.0 older than source 7.10.0");
        assertThat(filter.filter(m, vm(m, "v"), host(m, "c")).passed()).isTrue();
    }

    @Test
    void passesWhenFeaturesAreASubset() {
        cluster.host("a", 8, 65536);
        cluster.host("b", 8, 65536).features("avx2", "sse4_2");
        cluster.vm("v", "a", 1, 1024);
        ClusterModel m = model(cluster);

        assertThat(filter.filter(m, vm(m, "v"), host(m, "b")).passed()).isTrue();
    }
}
