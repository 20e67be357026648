package io.ferry.policies.planner;

/**
 * Cluster figures before or after a plan.
 *
 * @param imbalance      weighted standard deviation of host utilisation over in-service hosts
 * @param hostsOn        hosts powered on
 * @param estimatedWatts the power model's estimate for the whole cluster
 */
public record Figures(double imbalance, int hostsOn, double estimatedWatts) {
}
