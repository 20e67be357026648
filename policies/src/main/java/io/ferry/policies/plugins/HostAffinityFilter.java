package io.ferry.policies.plugins;

import io.ferry.policies.cluster.ClusterModel;
import io.ferry.policies.cluster.RuleIndex;

/** VMs of a {@code vmHostAffinity} rule only on hosts its host selector matches. */
public final class HostAffinityFilter implements FilterPlugin {
    public static final String NAME = "host-affinity";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public FilterResult filter(ClusterModel model, int vm, int host) {
        RuleIndex rules = model.rules();
        for (int r : rules.rulesOf(vm)) {
            if (!rules.isAntiAffinity(r) && !rules.hostAllowed(r, host)) {
                return FilterResult.reject(NAME, "rule " + rules.rule(r).name() + ": " + model.host(host).name()
                        + " does not match " + rules.rule(r).hostSelector());
            }
        }
        return FilterResult.PASS;
    }
}
