package io.ferry.policies.plugins;

import io.ferry.policies.cluster.ClusterModel;
import io.ferry.policies.model.SchedulingPolicy;
import io.ferry.policies.testkit.TestCluster;

/** Index lookups for plugin tests: hosts and VMs are numbered in name order. */
final class PluginTestSupport {
    private PluginTestSupport() {
    }

    static ClusterModel model(TestCluster cluster) {
        return model(cluster, SchedulingPolicy.defaults("test"));
    }

    static ClusterModel model(TestCluster cluster, SchedulingPolicy policy) {
        return ClusterModel.of(cluster.build(), policy);
    }

    static int host(ClusterModel model, String name) {
        for (int h = 0; h < model.hostCount(); h++) {
            if (model.host(h).name().equals(name)) {
                return h;
            }
        }
        throw new IllegalArgumentException(name);
    }

    static int vm(ClusterModel model, String name) {
        for (int v = 0; v < model.vmCount(); v++) {
            if (model.vm(v).name().equals(name)) {
                return v;
            }
        }
        throw new IllegalArgumentException(name);
    }
}
