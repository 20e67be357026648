package io.ferry.policies.planner;

import io.ferry.policies.units.Durations;
import io.ferry.policies.cluster.ClusterModel;
import io.ferry.policies.health.Trend;
import io.ferry.policies.model.ConsolidationSettings;
import io.ferry.policies.snapshot.HostMode;
import io.ferry.policies.snapshot.PowerState;
import io.ferry.policies.snapshot.Sample;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * Host power. Wakes standby hosts when utilisation (now, or predicted {@code powerOnLookback} ahead from the trend
 * over the last {@code powerOnLookback}) exceeds {@code band.high}, enough to bring it back to the packing target,
 * and wakes at least one when an urgent evacuation found no destination (the moves follow next round); puts in standby hosts that are empty and have been idle for {@code powerOffAfter}, never below
 * {@code minHostsOn} and never when that would push utilisation above the packing target. The gap between the
 * packing target and {@code band.high} is the hysteresis that keeps hosts from flapping.
 */
final class PowerPhase {
    /** CPU utilisation below which an empty host counts as idle. */
    static final double IDLE_UTILISATION = 0.10;
    private static final int CHECKPOINTS = 6;

    private PowerPhase() {
    }

    static void run(PlanDraft draft, boolean windowOpen) {
        ClusterModel model = draft.model();
        ConsolidationSettings c = model.policy().consolidation();
        if (!c.enabled()) {
            return;
        }
        if (wake(draft, c)) {
            return;
        }
        if (!windowOpen) {
            return;
        }
        standby(draft, c);
    }

    private static boolean wake(PlanDraft draft, ConsolidationSettings c) {
        ClusterModel model = draft.model();
        ClusterFigures.Totals totals = ClusterFigures.inService(model);
        double cores = totals.cpuCores();
        double memory = totals.memoryMiB();
        double cpuDemand = totals.cpuDemandCores();
        int inService = totals.hosts();
        double predictedCpu = predictedCpuCores(model, c.powerOnLookback()).orElse(cpuDemand);
        double demandCores = Math.max(cpuDemand, predictedCpu);
        double utilisation = totals.utilisation(demandCores, cores, memory);
        boolean tooFew = inService < c.minHostsOn();
        boolean stranded = draft.isEvacuationShortOfCapacity();
        if (utilisation <= c.bandHigh() && !tooFew && !stranded) {
            return false;
        }
        List<Integer> sleeping = new ArrayList<>();
        for (int h = 0; h < model.hostCount(); h++) {
            if (model.power(h) == PowerState.STANDBY && model.mode(h) == HostMode.NORMAL) {
                sleeping.add(h);
            }
        }
        if (sleeping.isEmpty()) {
            draft.note(String.format(Locale.ROOT, "power: utilisation %.3f above band.high %.2f but no host in standby",
                    utilisation, c.bandHigh()));
            return true;
        }
        // Largest hosts first: fewest wake-ups for the capacity needed.
        sleeping.sort(Comparator.comparingInt((Integer h) -> -model.host(h).cpuCores()).thenComparing(h -> h));
        String trigger = tooFew ? "only " + inService + " host(s) in service < minHostsOn " + c.minHostsOn()
                : utilisation <= c.bandHigh() ? "urgent evacuation found no destination with capacity"
                : String.format(Locale.ROOT, "utilisation %.3f (CPU demand %.1f cores now, %.1f predicted in %s) > "
                + "band.high %.2f", utilisation, cpuDemand, predictedCpu, Durations.format(c.powerOnLookback()), c.bandHigh());
        boolean wokeOne = false;
        for (int h : sleeping) {
            double after = totals.utilisation(demandCores, cores, memory);
            if (after <= c.packingTarget() && inService >= c.minHostsOn() && (wokeOne || !stranded)) {
                break;
            }
            wokeOne = true;
            cores += model.host(h).cpuCores();
            memory += model.host(h).memoryMiB();
            inService++;
            draft.power(h, PowerAction.Type.WAKE, String.format(Locale.ROOT, "%s; waking %s (+%d cores) brings "
                    + "utilisation to %.3f (target %.3f)", trigger, model.host(h).name(), model.host(h).cpuCores(),
                    totals.utilisation(demandCores, cores, memory), c.packingTarget()));
        }
        return true;
    }

    /** Cluster CPU demand predicted {@code lookback} ahead from its trend over the last {@code lookback}. */
    private static OptionalDouble predictedCpuCores(ClusterModel model, Duration lookback) {
        List<Sample> demand = new ArrayList<>();
        for (int i = 0; i < CHECKPOINTS; i++) {
            Instant at = model.now().minus(lookback).plus(lookback.multipliedBy(i).dividedBy(CHECKPOINTS - 1));
            double cores = 0;
            for (int h = 0; h < model.hostCount(); h++) {
                if (model.inService(h)) {
                    OptionalDouble u = model.host(h).cpuUtilization().valueAt(at);
                    cores += u.isPresent() ? u.getAsDouble() * model.host(h).cpuCores() : model.cpuDemandCores(h);
                }
            }
            demand.add(new Sample(at, cores));
        }
        return Trend.predict(demand, model.now().plus(lookback));
    }

    private static void standby(PlanDraft draft, ConsolidationSettings c) {
        ClusterModel model = draft.model();
        ClusterFigures.Totals totals = ClusterFigures.inService(model);
        double cores = totals.cpuCores();
        double memory = totals.memoryMiB();
        int inService = totals.hosts();
        for (int h = 0; h < model.hostCount(); h++) {
            if (!model.inService(h) || !model.vmsOn(h).isEmpty() || model.receivesVms(h)
                    || model.migrationsTouching(h) > 0 || !idleFor(model, h, c.powerOffAfter())) {
                continue;
            }
            if (inService - 1 < c.minHostsOn()) {
                return;
            }
            double after = totals.utilisation(totals.cpuDemandCores(), cores - model.host(h).cpuCores(),
                    memory - model.host(h).memoryMiB());
            if (after > c.packingTarget()) {
                continue;
            }
            double saved = model.policy().power().wattsOn(model.cpuUtilisation(h))
                    - model.policy().power().standbyWatts();
            draft.power(h, PowerAction.Type.STANDBY, String.format(Locale.ROOT, "%s empty and idle (CPU < %.0f%%) for "
                            + "%s; remaining hosts at %.3f <= packing target %.3f; saves ~%.0f W",
                    model.host(h).name(), IDLE_UTILISATION * 100, Durations.format(c.powerOffAfter()), after,
                    c.packingTarget(), saved));
            inService--;
            cores -= model.host(h).cpuCores();
            memory -= model.host(h).memoryMiB();
        }
    }

    /** Every CPU sample of the last {@code window} below the idle level, with history covering the window. */
    static boolean idleFor(ClusterModel model, int h, Duration window) {
        if (model.cpuUtilisation(h) >= IDLE_UTILISATION) {
            return false;
        }
        if (window.isZero()) {
            return true;
        }
        var series = model.host(h).cpuUtilization();
        Instant from = model.now().minus(window);
        if (series.valueAt(from).isEmpty()) {
            return false;
        }
        if (series.valueAt(from).getAsDouble() >= IDLE_UTILISATION) {
            return false;
        }
        return series.since(from).stream().allMatch(s -> s.value() < IDLE_UTILISATION);
    }
}
