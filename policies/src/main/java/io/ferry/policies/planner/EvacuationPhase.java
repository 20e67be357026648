package io.ferry.policies.planner;

import io.ferry.policies.cluster.ClusterModel;
import io.ferry.policies.cluster.HostOrder;
import io.ferry.policies.health.HealthAssessor;
import io.ferry.policies.health.HealthVerdict;
import io.ferry.policies.plugins.FilterResult;
import io.ferry.policies.snapshot.HostMode;
import io.ferry.policies.snapshot.PowerState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Failure avoidance and drains: quarantines failing hosts and moves VMs off hosts that overheat, whose disks fail,
 * or that operators drain. Urgent: ignores windows and cooldowns, never capacity, rules or caps.
 */
final class EvacuationPhase {
    private EvacuationPhase() {
    }

    /** A host to empty and why. */
    private record Evacuation(int host, MoveReason reason, String why) {
    }

    static void run(PlanDraft draft) {
        ClusterModel model = draft.model();
        HealthAssessor assessor = new HealthAssessor(model.policy().failureAvoidance());
        List<Evacuation> evacuations = new ArrayList<>();
        for (int h = 0; h < model.hostCount(); h++) {
            if (model.power(h) != PowerState.ON) {
                continue;
            }
            HealthVerdict verdict = assessor.assess(model.host(h), model.now());
            boolean evacuate = verdict.action() == HealthVerdict.Action.EVACUATE;
            if (verdict.action() != HealthVerdict.Action.NONE && model.mode(h) == HostMode.NORMAL) {
                draft.mode(h, HostMode.QUARANTINE, verdict.explanation()
                        + (evacuate ? "; evacuating its VMs" : "; no new VMs, not evacuated (below evacuateC)"));
            }
            if (evacuate && model.mode(h) != HostMode.MAINTENANCE) {
                MoveReason reason = verdict.trigger() == HealthVerdict.Trigger.SMART ? MoveReason.EVACUATE_SMART
                        : MoveReason.EVACUATE_TEMPERATURE;
                evacuations.add(new Evacuation(h, reason, verdict.explanation()));
            } else if (model.mode(h) == HostMode.DRAINING) {
                evacuations.add(new Evacuation(h, MoveReason.DRAIN, model.host(h).name() + " is draining"));
            }
        }
        if (evacuations.isEmpty()) {
            return;
        }
        DestinationFinder finder = DestinationFinder.urgent(model.policy());
        HostOrder order = new HostOrder(model, model::inService);
        for (Evacuation e : evacuations) {
            evacuate(draft, finder, order, e);
        }
    }

    private static void evacuate(PlanDraft draft, DestinationFinder finder, HostOrder order, Evacuation e) {
        ClusterModel model = draft.model();
        List<Integer> vms = new ArrayList<>(model.vmsOn(e.host()));
        // Heaviest CPU users first: they relieve a hot host most and are the hardest to place later.
        vms.sort(Comparator.comparingDouble((Integer v) -> -model.vm(v).cpuUsageCores()).thenComparing(v -> v));
        int unplaced = 0;
        for (int vm : vms) {
            FilterResult vmCheck = finder.checkVm(model, vm);
            if (!vmCheck.passed()) {
                draft.candidate(vm, e.reason(), vmCheck.toString());
                unplaced++;
                continue;
            }
            DestinationFinder.Choice choice = finder.best(model, vm, order.coolestFirst(), 8, Integer.MAX_VALUE);
            if (!choice.found()) {
                draft.candidate(vm, e.reason(), choice.rejections().toString());
                draft.evacuationLacksCapacity();
                unplaced++;
                continue;
            }
            int to = choice.host();
            draft.move(vm, to, e.reason(), String.format(Locale.ROOT,
                    "urgent %s from %s: %s; to %s (load %.2f -> %.2f), least loaded host that passes every hard "
                            + "filter", e.reason().jsonName(), model.host(e.host()).name(), e.why(),
                    model.host(to).name(), model.load(to),
                    model.loadWith(vm, to)));
            order.update(to);
        }
        if (unplaced > 0) {
            draft.note(String.format(Locale.ROOT, "%s: %d of %d VM(s) not moved this round (%s); retried next round",
                    model.host(e.host()).name(), unplaced, vms.size(), e.reason().jsonName()));
        }
    }
}
