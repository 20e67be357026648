package io.ferry.policies.plugins;

import io.ferry.policies.cluster.ClusterModel;
import io.ferry.policies.cluster.RuleIndex;

/** No two VMs of a {@code vmAntiAffinity} rule on one host. */
public final class AntiAffinityFilter implements FilterPlugin {
    public static final String NAME = "anti-affinity";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public FilterResult filter(ClusterModel model, int vm, int host) {
        RuleIndex rules = model.rules();
        for (int r : rules.rulesOf(vm)) {
            if (rules.isAntiAffinity(r) && rules.antiAffinityCount(r, host) > 0) {
                return FilterResult.reject(NAME, "rule " + rules.rule(r).name() + ": " + model.host(host).name()
                        + " already runs " + rules.antiAffinityCount(r, host) + " VM(s) selected by "
                        + rules.rule(r).vmSelector());
            }
        }
        return FilterResult.PASS;
    }
}
