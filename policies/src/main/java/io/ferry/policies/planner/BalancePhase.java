package io.ferry.policies.planner;

import io.ferry.policies.units.Durations;
import io.ferry.policies.cluster.ClusterModel;
import io.ferry.policies.cluster.HostOrder;
import io.ferry.policies.model.BalanceSettings;
import io.ferry.policies.plugins.FilterResult;
import io.ferry.policies.snapshot.Host;
import io.ferry.policies.snapshot.Vm;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.IntPredicate;

/**
 * Load balancing. Acts only when the imbalance exceeds the aggressiveness threshold, has done so for
 * {@code sustainedFor}, and a non-urgent window is open. Then it repeatedly moves one VM from the hottest host to a
 * cooler one, choosing the move with the best improvement per cost, until the imbalance falls to half the
 * threshold (hysteresis), no move improves enough, or a cap is reached. Work per move is bounded
 * ({@value #VMS_PER_SOURCE} VMs x {@value #DESTINATIONS_PER_VM} destinations) so it scales to 10,000 hosts.
 */
final class BalancePhase {
    static final int VMS_PER_SOURCE = 8;
    static final int DESTINATIONS_PER_VM = 16;
    static final int MAX_EXHAUSTED_SOURCES = 64;
    /** Smallest drop of the cluster imbalance a move must bring, against floating-point churn. */
    static final double MIN_GLOBAL_GAIN = 1e-6;

    private BalancePhase() {
    }

    private record Candidate(int vm, int to, double improvement, double value, MoveCost cost, double required) {
    }

    static void run(PlanDraft draft, boolean windowOpen) {
        ClusterModel model = draft.model();
        BalanceSettings b = model.policy().balance();
        if (!b.enabled()) {
            draft.note("balance: disabled");
            return;
        }
        IntPredicate balanced = balancedHosts(model);
        double imbalance = ClusterFigures.imbalance(model, balanced);
        double threshold = b.toleratedImbalance();
        if (imbalance <= threshold) {
            draft.note(String.format(Locale.ROOT, "balance: imbalance %.3f within tolerated %.3f (aggressiveness %d)",
                    imbalance, threshold, b.aggressiveness()));
            return;
        }
        Optional<String> notSustained = SustainedImbalance.check(model, balanced, threshold);
        if (notSustained.isPresent()) {
            draft.note("balance: " + notSustained.get());
            return;
        }
        if (!windowOpen) {
            draft.note(String.format(Locale.ROOT, "balance: imbalance %.3f > %.3f but no non-urgent window is open",
                    imbalance, threshold));
            return;
        }
        String trigger = String.format(Locale.ROOT, "imbalance %.3f > tolerated %.3f (aggressiveness %d) for %s",
                imbalance, threshold, b.aggressiveness(), Durations.format(b.sustainedFor()));
        HostOrder order = new HostOrder(model, balanced);
        ImbalanceTracker tracker = new ImbalanceTracker(model, balanced);
        DestinationFinder finder = DestinationFinder.balance(model.policy());
        boolean[] exhausted = new boolean[model.hostCount()];
        int exhaustedCount = 0;
        while (imbalance > threshold / 2 && exhaustedCount < MAX_EXHAUSTED_SOURCES) {
            if (capReached(model)) {
                draft.note("balance: stopped at the migration caps with imbalance " + fmt(imbalance));
                return;
            }
            int source = hottest(order, exhausted);
            if (source < 0) {
                break;
            }
            Optional<Candidate> best = bestMove(draft, finder, order, tracker, source);
            if (best.isEmpty()) {
                exhausted[source] = true;
                exhaustedCount++;
                continue;
            }
            Candidate c = best.get();
            String explanation = explain(model, c, source, trigger);
            tracker.beforeMove(source, c.to());
            draft.move(c.vm(), c.to(), MoveReason.BALANCE, explanation);
            tracker.afterMove(source, c.to());
            order.update(source);
            order.update(c.to());
            imbalance = tracker.imbalance();
        }
    }

    /**
     * In-service hosts, except — with consolidation on — empty hosts while the others run at or below the packing
     * target: those are parked for standby, and filling them would undo consolidation (ping-pong). Once the others
     * run hotter (demand rose, hosts were woken) empty hosts take load again.
     */
    static IntPredicate balancedHosts(ClusterModel model) {
        if (!model.policy().consolidation().enabled()) {
            return model::inService;
        }
        double cpu = 0;
        double cores = 0;
        double memoryUsed = 0;
        double memory = 0;
        boolean[] empty = new boolean[model.hostCount()];
        for (int h = 0; h < model.hostCount(); h++) {
            empty[h] = model.vmsOn(h).isEmpty();
            if (model.inService(h)) {
                cpu += model.cpuDemandCores(h);
                memoryUsed += model.memoryUsedMiB(h);
                if (!empty[h]) {
                    cores += model.host(h).cpuCores();
                    memory += model.host(h).memoryMiB();
                }
            }
        }
        double busy = cores == 0 ? Double.POSITIVE_INFINITY : Math.max(cpu / cores, memoryUsed / memory);
        if (busy > model.policy().consolidation().packingTarget()) {
            return model::inService;
        }
        return h -> model.inService(h) && !empty[h];
    }

    private static boolean capReached(ClusterModel model) {
        return model.movesPlanned() >= model.policy().limits().maxMovesPerRound()
                || model.migrationsInCluster() >= model.policy().limits().maxConcurrentMigrations();
    }

    private static int hottest(HostOrder order, boolean[] exhausted) {
        for (Iterator<Integer> it = order.hottestFirst(); it.hasNext(); ) {
            int h = it.next();
            if (!exhausted[h]) {
                return h;
            }
        }
        return -1;
    }

    private static Optional<Candidate> bestMove(PlanDraft draft, DestinationFinder finder, HostOrder order,
                                                ImbalanceTracker tracker, int source) {
        ClusterModel model = draft.model();
        BalanceSettings b = model.policy().balance();
        List<Integer> vms = new ArrayList<>(model.vmsOn(source));
        Host src = model.host(source);
        vms.sort(Comparator.comparingDouble((Integer v) -> -(b.cpuWeight() * model.vm(v).cpuUsageCores()
                / src.cpuCores() + b.memoryWeight() * model.vm(v).memoryUsedMiB() / src.memoryMiB())));
        Candidate best = null;
        for (int vm : vms.subList(0, Math.min(VMS_PER_SOURCE, vms.size()))) {
            FilterResult vmCheck = finder.checkVm(model, vm);
            if (!vmCheck.passed()) {
                draft.candidate(vm, MoveReason.BALANCE, vmCheck.toString());
                continue;
            }
            MoveCost cost = MoveCost.of(model.vm(vm), model.policy().migration());
            if (!cost.converges()) {
                draft.candidate(vm, MoveReason.BALANCE, "migration would not converge: dirty rate "
                        + model.vm(vm).dirtyRateMiBps() + " MiB/s >= bandwidth and post-copy not allowed");
                continue;
            }
            double required = b.minImprovement() * (1 + cost.factor());
            Candidate forVm = null;
            double bestShortfall = 0;
            Rejections rejections = new Rejections();
            Iterator<Integer> it = order.coolestFirst();
            for (int checks = 0; it.hasNext() && checks < DESTINATIONS_PER_VM; checks++) {
                int to = it.next();
                if (model.load(to) >= model.load(source)) {
                    break;
                }
                double improvement = improvement(model, vm, source, to);
                // Both gates: the pair must converge enough, and the cluster as a whole must get strictly better,
                // so that every move lowers one global measure and rounds can never cycle.
                if (improvement < required || improvement <= 0
                        || tracker.after(vm, source, to) >= tracker.imbalance() - MIN_GLOBAL_GAIN) {
                    bestShortfall = Math.max(bestShortfall, improvement);
                    continue;
                }
                rejections.checked();
                FilterResult r = finder.check(model, vm, to);
                if (!r.passed()) {
                    rejections.add(r);
                    continue;
                }
                double value = improvement / (1 + cost.factor());
                if (forVm == null || value > forVm.value()) {
                    forVm = new Candidate(vm, to, improvement, value, cost, required);
                }
            }
            if (forVm == null) {
                draft.candidate(vm, MoveReason.BALANCE, rejections.total() > 0 ? rejections.toString()
                        : String.format(Locale.ROOT, "best improvement %.4f < required %.4f (minImprovement %.3f x "
                        + "(1 + cost %.2f))", bestShortfall, required, b.minImprovement(), cost.factor()));
            } else if (best == null || forVm.value() > best.value()) {
                best = forVm;
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * How much the move narrows the weighted utilisation gap between source and destination:
     * {@code sum over cpu, memory of weight * (|gap before| - |gap after|)}. Negative when it overshoots, so a
     * move that merely swaps which host is hotter never qualifies (no ping-pong).
     */
    static double improvement(ClusterModel model, int vm, int source, int to) {
        Vm v = model.vm(vm);
        Host s = model.host(source);
        Host d = model.host(to);
        BalanceSettings b = model.policy().balance();
        double cpu = gapReduction(model.cpuUtilisation(source), model.cpuUtilisation(to),
                v.cpuUsageCores() / s.cpuCores(), v.cpuUsageCores() / d.cpuCores());
        double memory = gapReduction(model.memoryUtilisation(source), model.memoryUtilisation(to),
                (double) v.memoryUsedMiB() / s.memoryMiB(), (double) v.memoryUsedMiB() / d.memoryMiB());
        return b.cpuWeight() * cpu + b.memoryWeight() * memory;
    }

    private static double gapReduction(double source, double destination, double leaves, double arrives) {
        return Math.abs(source - destination) - Math.abs((source - leaves) - (destination + arrives));
    }

    private static String explain(ClusterModel model, Candidate c, int source, String trigger) {
        double srcBefore = model.load(source);
        double dstBefore = model.load(c.to());
        Vm v = model.vm(c.vm());
        double srcAfter = srcBefore - loadShare(model, v, source);
        double dstAfter = dstBefore + loadShare(model, v, c.to());
        return String.format(Locale.ROOT, "%s; %s load %.2f -> %.2f, %s %.2f -> %.2f; gap narrowed by %.3f "
                        + "(required %.3f); %s", trigger, model.host(source).name(), srcBefore, srcAfter,
                model.host(c.to()).name(), dstBefore, dstAfter, c.improvement(), c.required(), c.cost().describe(v));
    }

    private static double loadShare(ClusterModel model, Vm v, int host) {
        BalanceSettings b = model.policy().balance();
        return b.cpuWeight() * v.cpuUsageCores() / model.host(host).cpuCores()
                + b.memoryWeight() * (double) v.memoryUsedMiB() / model.host(host).memoryMiB();
    }

    private static String fmt(double d) {
        return String.format(Locale.ROOT, "%.3f", d);
    }
}
