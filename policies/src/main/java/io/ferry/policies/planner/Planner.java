package io.ferry.policies.planner;

import io.ferry.policies.cluster.ClusterModel;
import io.ferry.policies.model.SchedulingPolicy;
import io.ferry.policies.snapshot.Snapshot;

/**
 * Turns a cluster snapshot and a policy into a plan. Pure and deterministic: it reads no clock (only
 * {@code snapshot.now()}), touches nothing, and gives the same plan for the same input, so the live scheduler and
 * {@code ferry plan} dry runs agree.
 *
 * <p>Phases, in order: failure avoidance and drains (urgent), then consolidation when utilisation is below the
 * band, otherwise balancing (both non-urgent, only inside windows), then host power.
 */
public final class Planner {
    private Planner() {
    }

    public static Plan plan(Snapshot snapshot, SchedulingPolicy policy, PlannerOptions options) {
        ClusterModel model = ClusterModel.of(snapshot, policy);
        Figures before = ClusterFigures.of(model);
        PlanDraft draft = new PlanDraft(model, options);
        boolean windowOpen = policy.windows().allowsNonUrgentAt(snapshot.now());
        if (!windowOpen) {
            draft.note("windows: " + snapshot.now() + " is outside every non-urgent window (" + policy.windows()
                    .timezone() + "); only urgent moves");
        }
        EvacuationPhase.run(draft);
        boolean consolidating = ConsolidationPhase.run(draft, windowOpen);
        if (!consolidating) {
            BalancePhase.run(draft, windowOpen);
        }
        PowerPhase.run(draft, windowOpen);
        return new Plan(snapshot.now(), policy.name(), draft.moves(), draft.powerActions(), draft.modeActions(),
                before, ClusterFigures.of(model), draft.notes(), draft.candidates());
    }

    public static Plan plan(Snapshot snapshot, SchedulingPolicy policy) {
        return plan(snapshot, policy, PlannerOptions.DEFAULT);
    }
}
