package io.ferry.policies.plugins;

import static io.ferry.policies.plugins.PluginTestSupport.model;
import static io.ferry.policies.plugins.PluginTestSupport.vm;
import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.policies.cluster.ClusterModel;
import io.ferry.policies.snapshot.Vm;
import io.ferry.policies.testkit.TestCluster;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CooldownFilterTest {
    @Test
    void vmMigratedWithinTheCooldownStaysPut() {
        TestCluster cluster = new TestCluster();
        cluster.host("a", 8, 65536);
        cluster.vm(new Vm("recent", "a", 1, 1024, 1, 1024, 1, Map.of(), Set.of(),
                TestCluster.NOW.minus(Duration.ofMinutes(10))));
        cluster.vm(new Vm("old", "a", 1, 1024, 1, 1024, 1, Map.of(), Set.of(),
                TestCluster.NOW.minus(Duration.ofMinutes(30))));
        cluster.vm("never", "a", 1, 1024);
        ClusterModel m = model(cluster);
        CooldownFilter filter = new CooldownFilter();

        assertThat(filter.filterVm(m, vm(m, "recent")).reason())
                .isEqualTo("recent migrated at 2026-11-26T22:50:00Z, cooldown 30m until 2026-11-26T23:20:00Z");
        assertThat(filter.filterVm(m, vm(m, "old")).passed()).isTrue();
        assertThat(filter.filterVm(m, vm(m, "never")).passed()).isTrue();
    }
}
