package io.ferry.policies.planner;

/**
 * How to plan.
 *
 * @param explainCandidates also report VMs that were considered but not moved, with the reason
 */
public record PlannerOptions(boolean explainCandidates) {
    public static final PlannerOptions DEFAULT = new PlannerOptions(false);
    public static final PlannerOptions EXPLAIN = new PlannerOptions(true);
}
