package io.ferry.policies.planner;

/**
 * A VM the planner considered but did not move, and why (which filter or gate, with numbers). Reported only when
 * {@link PlannerOptions#explainCandidates()} is set.
 *
 * @param purpose the move it was considered for (balance, drain, ...)
 */
public record CandidateReport(String vm, String host, MoveReason purpose, String reason) {
}
