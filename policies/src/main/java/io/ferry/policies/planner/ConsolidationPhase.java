package io.ferry.policies.planner;

import io.ferry.policies.cluster.ClusterModel;
import io.ferry.policies.cluster.HostOrder;
import io.ferry.policies.model.ConsolidationSettings;
import io.ferry.policies.plugins.ConcurrencyFilter;
import io.ferry.policies.plugins.FilterResult;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Consolidation. When in-service hosts run below {@code band.low}, empties the least loaded hosts onto the others
 * (best fit: the most loaded host that stays under {@code band.high} and passes every hard filter), as long as the
 * remaining hosts stay at or below the packing target (a quarter band under {@code band.high}) and at least
 * {@code minHostsOn} stay on. A host is emptied only if every one of its VMs can be placed; the caps then bound how
 * many of those moves start this round. Emptied hosts are put in standby by {@link PowerPhase} once idle.
 */
final class ConsolidationPhase {
    /** Destinations examined per VM, hottest first; bounded so packing stays near-linear at 10,000 hosts. */
    static final int PACK_CHECKS = 1024;

    private ConsolidationPhase() {
    }

    /** Running totals over in-service hosts; capacity only of the hosts that keep running. */
    private static final class Totals {
        double cpuCores;
        double memoryMiB;
        double keptCores;
        double keptMemoryMiB;
        int keepers;

        double projectedWithout(ClusterModel model, int h) {
            double cores = keptCores - model.host(h).cpuCores();
            double memory = keptMemoryMiB - model.host(h).memoryMiB();
            return cores <= 0 ? Double.POSITIVE_INFINITY : Math.max(cpuCores / cores, memoryMiB / memory);
        }
    }

    /**
     * Returns whether consolidation owns this round (utilisation below the band and hosts being emptied, or no
     * window open), so balancing stays off.
     */
    static boolean run(PlanDraft draft, boolean windowOpen) {
        ClusterModel model = draft.model();
        ConsolidationSettings c = model.policy().consolidation();
        if (!c.enabled()) {
            return false;
        }
        double utilisation = ClusterFigures.utilisation(model);
        if (utilisation >= c.bandLow()) {
            draft.note(String.format(Locale.ROOT, "consolidation: utilisation %.3f >= band.low %.2f", utilisation,
                    c.bandLow()));
            return false;
        }
        if (!windowOpen) {
            draft.note(String.format(Locale.ROOT, "consolidation: utilisation %.3f < band.low %.2f but no non-urgent "
                    + "window is open", utilisation, c.bandLow()));
            return true;
        }
        boolean[] leaving = new boolean[model.hostCount()];
        Totals totals = new Totals();
        List<Integer> candidates = new ArrayList<>();
        for (int h = 0; h < model.hostCount(); h++) {
            if (!model.inService(h)) {
                continue;
            }
            totals.cpuCores += model.cpuDemandCores(h);
            totals.memoryMiB += model.memoryUsedMiB(h);
            // Already-empty hosts are on their way to standby: they neither receive VMs nor count as capacity.
            leaving[h] = model.vmsOn(h).isEmpty();
            if (!leaving[h]) {
                totals.keptCores += model.host(h).cpuCores();
                totals.keptMemoryMiB += model.host(h).memoryMiB();
                totals.keepers++;
                candidates.add(h);
            }
        }
        candidates.sort(Comparator.comparingDouble(model::load).thenComparing(h -> h));
        // Best fit is searched on the bottleneck resource: a host can only take a VM if that resource fits.
        boolean cpuBound = totals.cpuCores / totals.keptCores >= totals.memoryMiB / totals.keptMemoryMiB;
        HostOrder order = new HostOrder(model, h -> model.inService(h) && !leaving[h],
                cpuBound ? model::cpuUtilisation : model::memoryUtilisation);
        DestinationFinder finder = DestinationFinder.pack(model.policy());
        String trigger = String.format(Locale.ROOT, "cluster utilisation %.3f < band.low %.2f", utilisation,
                c.bandLow());
        int emptied = 0;
        for (int host : candidates) {
            if (model.receivesVms(host) || model.migrationsTouching(host) > 0) {
                continue; // a host with migrations in flight or planned is in transition: leave it this round
            }
            if (totals.keepers - 1 < c.minHostsOn()) {
                draft.note("consolidation: keeping minHostsOn " + c.minHostsOn() + " host(s) on");
                break;
            }
            double projected = totals.projectedWithout(model, host);
            if (projected > c.packingTarget()) {
                draft.note(String.format(Locale.ROOT, "consolidation: emptying %s would raise utilisation to %.3f > "
                        + "packing target %.3f", model.host(host).name(), projected, c.packingTarget()));
                break;
            }
            order.remove(host);
            List<int[]> placements = placeAll(draft, finder, order, host, cpuBound);
            if (placements == null) {
                order.add(host);
                continue;
            }
            leaving[host] = true;
            totals.keptCores -= model.host(host).cpuCores();
            totals.keptMemoryMiB -= model.host(host).memoryMiB();
            totals.keepers--;
            emptied++;
            String why = String.format(Locale.ROOT, "%s: emptying %s (load %.2f, %d VM(s)) for standby; remaining "
                            + "hosts at %.3f <= packing target %.3f", trigger, model.host(host).name(),
                    model.load(host), placements.size(), projected, c.packingTarget());
            if (!emit(draft, order, placements, why)) {
                draft.note("consolidation: stopped at the migration caps; continues next round");
                break;
            }
        }
        draft.note("consolidation: " + trigger + "; " + (emptied == 0 ? "no host can be emptied this round"
                : "emptying " + emptied + " host(s)"));
        // When nothing could be emptied (minHostsOn, rules, capacity) the hosts that stay on may still need
        // balancing among themselves.
        return emptied > 0;
    }

    /**
     * Tentatively places every VM of the host; on success returns the placements with the model restored, on
     * failure records why and returns null (model restored too).
     */
    private static List<int[]> placeAll(PlanDraft draft, DestinationFinder finder, HostOrder order, int host,
                                        boolean cpuBound) {
        ClusterModel model = draft.model();
        List<Integer> vms = new ArrayList<>(model.vmsOn(host));
        vms.sort(Comparator.comparingLong((Integer v) -> -model.vm(v).memoryMiB()).thenComparing(v -> v));
        List<int[]> placements = new ArrayList<>();
        String failure = null;
        int failedVm = -1;
        for (int vm : vms) {
            FilterResult vmCheck = finder.checkVm(model, vm);
            if (!vmCheck.passed()) {
                failure = vmCheck.toString();
                failedVm = vm;
                break;
            }
            // A destination must end at or below band.high, so hosts already above band.high minus the VM's
            // smallest possible share of the bottleneck resource cannot take it: search below that.
            double maxLoad = model.policy().consolidation().bandHigh() - smallestShare(model, vm, cpuBound);
            DestinationFinder.Choice choice = finder.best(model, vm, order.hottestFirstAtMost(maxLoad), 1,
                    PACK_CHECKS);
            if (!choice.found()) {
                failure = choice.rejections().toString();
                failedVm = vm;
                break;
            }
            model.relocate(vm, choice.host());
            order.update(choice.host());
            placements.add(new int[] {vm, choice.host()});
        }
        for (int i = placements.size() - 1; i >= 0; i--) {
            model.relocate(placements.get(i)[0], host);
            order.update(placements.get(i)[1]);
        }
        if (failure != null) {
            draft.candidate(failedVm, MoveReason.CONSOLIDATE, "cannot empty " + model.host(host).name() + ": "
                    + failure);
            return null;
        }
        return placements;
    }

    /** The VM's share of the bottleneck resource on the largest host (its share is at least this anywhere). */
    private static double smallestShare(ClusterModel model, int vm, boolean cpuBound) {
        return cpuBound ? model.vm(vm).cpuUsageCores() / model.largestHostCores()
                : (double) model.vm(vm).memoryUsedMiB() / model.largestHostMemoryMiB();
    }

    /** Orders the moves while the caps allow; false when a cap stopped it. */
    private static boolean emit(PlanDraft draft, HostOrder order, List<int[]> placements, String why) {
        ClusterModel model = draft.model();
        ConcurrencyFilter caps = new ConcurrencyFilter();
        for (int[] p : placements) {
            FilterResult r = caps.filterVm(model, p[0]);
            if (r.passed()) {
                r = caps.filter(model, p[0], p[1]);
            }
            if (!r.passed()) {
                draft.candidate(p[0], MoveReason.CONSOLIDATE, r.toString());
                return false;
            }
            draft.move(p[0], p[1], MoveReason.CONSOLIDATE, String.format(Locale.ROOT,
                    "%s; to %s (load %.2f -> %.2f, under band.high %.2f)", why, model.host(p[1]).name(),
                    model.load(p[1]), model.loadWith(p[0], p[1]), model.policy().consolidation().bandHigh()));
            order.update(p[1]);
        }
        return true;
    }
}
