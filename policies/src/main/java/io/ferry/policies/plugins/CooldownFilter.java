package io.ferry.policies.plugins;

import io.ferry.policies.units.Durations;
import io.ferry.policies.cluster.ClusterModel;
import io.ferry.policies.snapshot.Vm;
import java.time.Duration;
import java.time.Instant;

/** A VM migrated less than {@code limits.vmCooldown} ago stays put (non-urgent moves only). */
public final class CooldownFilter implements FilterPlugin {
    public static final String NAME = "cooldown";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public FilterResult filterVm(ClusterModel model, int vm) {
        Vm v = model.vm(vm);
        Duration cooldown = model.policy().limits().vmCooldown();
        if (v.lastMigratedAt() == null) {
            return FilterResult.PASS;
        }
        Instant until = v.lastMigratedAt().plus(cooldown);
        if (model.now().isBefore(until)) {
            return FilterResult.reject(NAME, v.name() + " migrated at " + v.lastMigratedAt() + ", cooldown "
                    + Durations.format(cooldown) + " until " + until);
        }
        return FilterResult.PASS;
    }

    @Override
    public FilterResult filter(ClusterModel model, int vm, int host) {
        return FilterResult.PASS;
    }
}
