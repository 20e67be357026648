package io.ferry.policies.plugins;

import io.ferry.policies.cluster.ClusterModel;
import io.ferry.policies.snapshot.HostMode;
import io.ferry.policies.snapshot.PowerState;

/** Destinations must be powered on and in normal mode, and differ from the VM's current host. */
public final class HostStateFilter implements FilterPlugin {
    public static final String NAME = "host-state";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public FilterResult filter(ClusterModel model, int vm, int host) {
        if (model.hostOf(vm) == host) {
            return FilterResult.reject(NAME, "already on " + model.host(host).name());
        }
        if (model.power(host) != PowerState.ON) {
            return FilterResult.reject(NAME, model.host(host).name() + " is " + model.power(host).jsonName());
        }
        if (model.mode(host) != HostMode.NORMAL) {
            return FilterResult.reject(NAME, model.host(host).name() + " is in " + model.mode(host).jsonName());
        }
        return FilterResult.PASS;
    }
}
