package io.ferry.policies.plugins;

import io.ferry.policies.cluster.ClusterModel;
import io.ferry.policies.model.Rule;
import io.ferry.policies.model.RuleType;
import io.ferry.policies.model.SchedulingPolicy;
import io.ferry.policies.snapshot.Vm;
import io.ferry.policies.testkit.TestCluster;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Index lookups for plugin tests: hosts and VMs are numbered in name order. */
final class PluginTestSupport {
    /** Two rules: no two {@code app=db} VMs together; {@code tier=gpu} VMs only on {@code gpu=true} hosts. */
    static final SchedulingPolicy RULES = SchedulingPolicy.defaults("t").withRules(List.of(
            new Rule("db-spread", RuleType.VM_ANTI_AFFINITY, Map.of("app", "db"), Map.of()),
            new Rule("gpu-only", RuleType.VM_HOST_AFFINITY, Map.of("tier", "gpu"), Map.of("gpu", "true"))));

    private PluginTestSupport() {
    }

    static Vm labelled(String name, String host, Map<String, String> labels) {
        return new Vm(name, host, 1, 1024, 0.5, 1024, 1, labels, Set.of(), null);
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
