package io.ferry.policies.planner;

/**
 * One planned live migration.
 *
 * @param order       1-based position in the plan; urgent moves come first
 * @param explanation policy, trigger, numbers and expected effect
 */
public record Move(int order, String vm, String from, String to, MoveReason reason, boolean urgent,
                   String explanation) {
}
