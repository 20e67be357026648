package io.ferry.policies.plugins;

import io.ferry.policies.cluster.ClusterModel;
import io.ferry.policies.model.Limits;

/**
 * Migration caps, counting the ones in flight when the snapshot was taken: cluster-wide, per host (as source or
 * destination) and per planning round. A VM already migrating is not moved again.
 */
public final class ConcurrencyFilter implements FilterPlugin {
    public static final String NAME = "concurrency";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public FilterResult filterVm(ClusterModel model, int vm) {
        Limits limits = model.policy().limits();
        if (model.isMigrating(vm)) {
            return FilterResult.reject(NAME, model.vm(vm).name() + " is already migrating");
        }
        if (model.movesPlanned() >= limits.maxMovesPerRound()) {
            return FilterResult.reject(NAME, "round cap: " + model.movesPlanned() + " moves planned (maxMovesPerRound "
                    + limits.maxMovesPerRound() + ")");
        }
        if (model.migrationsInCluster() >= limits.maxConcurrentMigrations()) {
            return FilterResult.reject(NAME, "cluster cap: " + model.migrationsInCluster()
                    + " migrations in flight or planned (maxConcurrentMigrations " + limits.maxConcurrentMigrations()
                    + ")");
        }
        return hostCap(model, model.hostOf(vm), limits);
    }

    @Override
    public FilterResult filter(ClusterModel model, int vm, int host) {
        return hostCap(model, host, model.policy().limits());
    }

    private static FilterResult hostCap(ClusterModel model, int host, Limits limits) {
        if (model.migrationsTouching(host) >= limits.maxConcurrentPerHost()) {
            return FilterResult.reject(NAME, "host cap: " + model.host(host).name() + " has "
                    + model.migrationsTouching(host) + " migrations (maxConcurrentPerHost "
                    + limits.maxConcurrentPerHost() + ")");
        }
        return FilterResult.PASS;
    }
}
