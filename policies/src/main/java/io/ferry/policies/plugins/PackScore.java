package io.ferry.policies.plugins;

import io.ferry.policies.cluster.ClusterModel;

/** Consolidation: prefer the destination left most loaded after the move (best fit), so other hosts can empty. */
public final class PackScore implements ScorePlugin {
    @Override
    public String name() {
        return "pack";
    }

    @Override
    public double score(ClusterModel model, int vm, int host) {
        return Math.min(1, Math.max(0, model.loadWith(vm, host)));
    }
}
