package io.ferry.policies.plugins;

import io.ferry.policies.cluster.ClusterModel;

/**
 * A hard constraint on moving a VM. {@link #filterVm} judges the VM alone (checked once per VM),
 * {@link #filter} a VM on a destination. Plugins never throw for an expected outcome: they reject with a reason.
 */
public interface FilterPlugin {
    String name();

    /** Whether the VM may move at all; default pass. */
    default FilterResult filterVm(ClusterModel model, int vm) {
        return FilterResult.PASS;
    }

    /** Whether the VM may move to {@code host}. */
    FilterResult filter(ClusterModel model, int vm, int host);
}
