package io.ferry.policies.cluster;

import io.ferry.policies.model.Rule;
import io.ferry.policies.model.RuleType;
import io.ferry.policies.snapshot.Host;
import io.ferry.policies.snapshot.Vm;
import java.util.ArrayList;
import java.util.List;

/**
 * Placement rules pre-matched against the snapshot: which rules each VM falls under, which hosts each host-affinity
 * rule allows, and how many VMs of each anti-affinity rule every host runs (kept current as VMs move).
 */
public final class RuleIndex {
    private static final int[] NONE = new int[0];

    private final List<Rule> rules;
    private final int[][] vmRules;
    private final int[][] antiCountByRule;
    private final boolean[][] hostAllowedByRule;

    RuleIndex(List<Rule> rules, Host[] hosts, Vm[] vms, int[] vmHost) {
        this.rules = List.copyOf(rules);
        vmRules = new int[vms.length][];
        antiCountByRule = new int[rules.size()][];
        hostAllowedByRule = new boolean[rules.size()][];
        for (int r = 0; r < rules.size(); r++) {
            Rule rule = rules.get(r);
            if (rule.type() == RuleType.VM_ANTI_AFFINITY) {
                antiCountByRule[r] = new int[hosts.length];
            } else {
                hostAllowedByRule[r] = new boolean[hosts.length];
                for (int h = 0; h < hosts.length; h++) {
                    hostAllowedByRule[r][h] = Rule.matches(rule.hostSelector(), hosts[h].labels());
                }
            }
        }
        for (int v = 0; v < vms.length; v++) {
            List<Integer> matching = new ArrayList<>();
            for (int r = 0; r < rules.size(); r++) {
                if (Rule.matches(rules.get(r).vmSelector(), vms[v].labels())) {
                    matching.add(r);
                    if (antiCountByRule[r] != null) {
                        antiCountByRule[r][vmHost[v]]++;
                    }
                }
            }
            vmRules[v] = matching.isEmpty() ? NONE : matching.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    public Rule rule(int r) {
        return rules.get(r);
    }

    /** Indexes of the rules whose VM selector matches the VM. */
    public int[] rulesOf(int vm) {
        return vmRules[vm];
    }

    public boolean isAntiAffinity(int r) {
        return antiCountByRule[r] != null;
    }

    /** VMs of anti-affinity rule {@code r} on the host. */
    public int antiAffinityCount(int r, int host) {
        return antiCountByRule[r][host];
    }

    /** Whether host-affinity rule {@code r} allows the host. */
    public boolean hostAllowed(int r, int host) {
        return hostAllowedByRule[r][host];
    }

    void moved(int vm, int from, int to) {
        for (int r : vmRules[vm]) {
            if (antiCountByRule[r] != null) {
                antiCountByRule[r][from]--;
                antiCountByRule[r][to]++;
            }
        }
    }
}
