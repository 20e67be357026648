package io.ferry.policies.plugins;

import static io.ferry.policies.plugins.PluginTestSupport.host;
import static io.ferry.policies.plugins.PluginTestSupport.model;
import static io.ferry.policies.plugins.PluginTestSupport.vm;
import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.policies.cluster.ClusterModel;
import io.ferry.policies.snapshot.HostMode;
import io.ferry.policies.snapshot.PowerState;
import io.ferry.policies.testkit.TestCluster;
import org.junit.jupiter.api.Test;

class HostStateFilterTest {
    @Test
    void onlyPoweredOnNormalHostsOtherThanTheSourceReceiveVms() {
        TestCluster cluster = new TestCluster();
        cluster.host("src", 8, 65536);
        cluster.host("ok", 8, 65536);
        cluster.host("maint", 8, 65536).mode(HostMode.MAINTENANCE);
        cluster.host("quar", 8, 65536).mode(HostMode.QUARANTINE);
        cluster.host("drain", 8, 65536).mode(HostMode.DRAINING);
        cluster.host("sleep", 8, 65536).power(PowerState.STANDBY);
        cluster.host("off", 8, 65536).power(PowerState.OFF);
        cluster.vm("v", "src", 1, 1024);
        ClusterModel m = model(cluster);
        HostStateFilter filter = new HostStateFilter();
        int v = vm(m, "v");

        assertThat(filter.filter(m, v, host(m, "ok")).passed()).isTrue();
        assertThat(filter.filter(m, v, host(m, "src")).reason()).isEqualTo("already on src");
        assertThat(filter.filter(m, v, host(m, "maint")).reason()).isEqualTo("maint is in maintenance");
        assertThat(filter.filter(m, v, host(m, "quar")).reason()).isEqualTo("quar is in quarantine");
        assertThat(filter.filter(m, v, host(m, "drain")).reason()).isEqualTo("drain is in draining");
        assertThat(filter.filter(m, v, host(m, "sleep")).reason()).isEqualTo("sleep is standby");
        assertThat(filter.filter(m, v, host(m, "off")).reason()).isEqualTo("off is off");
    }
}
