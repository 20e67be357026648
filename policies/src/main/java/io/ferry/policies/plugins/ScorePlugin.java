package io.ferry.policies.plugins;

import io.ferry.policies.cluster.ClusterModel;

/** A soft preference among feasible destinations: 0 (worst) .. 1 (best). */
public interface ScorePlugin {
    String name();

    double score(ClusterModel model, int vm, int host);
}
