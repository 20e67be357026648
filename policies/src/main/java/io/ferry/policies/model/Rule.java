package io.ferry.policies.model;

import java.util.Map;
import java.util.Objects;

/**
 * A placement rule. Selectors match labels exactly (every key/value must be present).
 *
 * @param vmSelector   the VMs the rule applies to; never empty
 * @param hostSelector for {@link RuleType#VM_HOST_AFFINITY}: hosts those VMs may run on; empty otherwise
 */
public record Rule(String name, RuleType type, Map<String, String> vmSelector, Map<String, String> hostSelector) {

    public Rule {
        Objects.requireNonNull(name, "rule name");
        Objects.requireNonNull(type, "rule type");
        vmSelector = Map.copyOf(vmSelector);
        hostSelector = Map.copyOf(hostSelector);
        if (vmSelector.isEmpty()) {
            throw new IllegalArgumentException("rule '" + name + "': vmSelector must not be empty");
        }
        if (type == RuleType.VM_HOST_AFFINITY && hostSelector.isEmpty()) {
            throw new IllegalArgumentException("rule '" + name + "': hostSelector must not be empty");
        }
    }

    /** Whether the labels carry every key/value of the selector. */
    public static boolean matches(Map<String, String> selector, Map<String, String> labels) {
        for (Map.Entry<String, String> e : selector.entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }
}
