package io.ferry.policies.planner;

import io.ferry.policies.cluster.ClusterModel;
import io.ferry.policies.model.SchedulingPolicy;
import io.ferry.policies.plugins.AntiAffinityFilter;
import io.ferry.policies.plugins.CapacityFilter;
import io.ferry.policies.plugins.ConcurrencyFilter;
import io.ferry.policies.plugins.CooldownFilter;
import io.ferry.policies.plugins.CpuCompatibilityFilter;
import io.ferry.policies.plugins.FilterPlugin;
import io.ferry.policies.plugins.FilterResult;
import io.ferry.policies.plugins.HostAffinityFilter;
import io.ferry.policies.plugins.HostStateFilter;
import io.ferry.policies.plugins.PackScore;
import io.ferry.policies.plugins.ScorePlugin;
import io.ferry.policies.plugins.SpreadScore;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Runs a fixed chain of filter plugins over candidate destinations and picks the best-scoring feasible one. The
 * chain differs per purpose: urgent moves skip the cooldown, packing caps hosts at the consolidation band.
 */
final class DestinationFinder {
    private final List<FilterPlugin> filters;
    private final ScorePlugin score;

    private DestinationFinder(List<FilterPlugin> filters, ScorePlugin score) {
        this.filters = filters;
        this.score = score;
    }

    /** Evacuations and drains: every hard constraint except the cooldown; spread over cool hosts. */
    static DestinationFinder urgent(SchedulingPolicy policy) {
        return new DestinationFinder(hard(policy.balance().maxHostUtilization(), 1.0, false, true), new SpreadScore());
    }

    static DestinationFinder balance(SchedulingPolicy policy) {
        return new DestinationFinder(hard(policy.balance().maxHostUtilization(), 1.0, true, true), new SpreadScore());
    }

    /**
     * Consolidation: destinations stay under the band's upper edge. Caps are left out: whether a host can be
     * emptied at all is decided on the whole host; the caps then bound how many of its moves start this round.
     */
    static DestinationFinder pack(SchedulingPolicy policy) {
        double cap = Math.min(policy.balance().maxHostUtilization(), policy.consolidation().bandHigh());
        return new DestinationFinder(hard(cap, policy.consolidation().bandHigh(), true, false), new PackScore());
    }

    private static List<FilterPlugin> hard(double cpuCap, double memoryUsedCap, boolean cooldown, boolean caps) {
        List<FilterPlugin> chain = new ArrayList<>();
        if (caps) {
            chain.add(new ConcurrencyFilter());
        }
        if (cooldown) {
            chain.add(new CooldownFilter());
        }
        chain.add(new HostStateFilter());
        chain.add(new CapacityFilter(cpuCap, memoryUsedCap));
        chain.add(new CpuCompatibilityFilter());
        chain.add(new AntiAffinityFilter());
        chain.add(new HostAffinityFilter());
        return chain;
    }

    /** The first VM-level objection (cooldown, already migrating, caps), or pass. */
    FilterResult checkVm(ClusterModel model, int vm) {
        for (FilterPlugin f : filters) {
            FilterResult r = f.filterVm(model, vm);
            if (!r.passed()) {
                return r;
            }
        }
        return FilterResult.PASS;
    }

    FilterResult check(ClusterModel model, int vm, int host) {
        for (FilterPlugin f : filters) {
            FilterResult r = f.filter(model, vm, host);
            if (!r.passed()) {
                return r;
            }
        }
        return FilterResult.PASS;
    }

    double score(ClusterModel model, int vm, int host) {
        return score.score(model, vm, host);
    }

    /**
     * The best-scoring feasible host among the first {@code maxFeasible} feasible ones the iterator yields,
     * looking at no more than {@code maxChecks} hosts.
     */
    Choice best(ClusterModel model, int vm, Iterator<Integer> candidates, int maxFeasible, int maxChecks) {
        Rejections rejections = new Rejections();
        int bestHost = -1;
        double bestScore = -1;
        int feasible = 0;
        for (int checks = 0; candidates.hasNext() && checks < maxChecks && feasible < maxFeasible; checks++) {
            int host = candidates.next();
            rejections.checked();
            FilterResult r = check(model, vm, host);
            if (!r.passed()) {
                rejections.add(r);
                continue;
            }
            feasible++;
            double s = score(model, vm, host);
            if (s > bestScore) {
                bestScore = s;
                bestHost = host;
            }
        }
        return new Choice(bestHost, rejections);
    }

    /** A chosen host (or -1) and, when none, why. */
    record Choice(int host, Rejections rejections) {
        boolean found() {
            return host >= 0;
        }
    }
}
