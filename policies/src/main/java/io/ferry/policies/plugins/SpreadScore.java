package io.ferry.policies.plugins;

import io.ferry.policies.cluster.ClusterModel;

/** Balance and evacuation: prefer the destination left least loaded after the move (1 = empty). */
public final class SpreadScore implements ScorePlugin {
    @Override
    public String name() {
        return "spread";
    }

    @Override
    public double score(ClusterModel model, int vm, int host) {
        return 1 - Math.min(1, Math.max(0, model.loadWith(vm, host)));
    }
}
