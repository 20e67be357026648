package io.ferry.policies.model;

import java.util.Arrays;
import java.util.Optional;

/** Kinds of placement rule, by their YAML spelling. */
public enum RuleType {
    /** No two matching VMs on the same host. */
    VM_ANTI_AFFINITY("vmAntiAffinity"),
    /** Matching VMs only on hosts matching the host selector. */
    VM_HOST_AFFINITY("vmHostAffinity");

    private final String yamlName;

    RuleType(String yamlName) {
        this.yamlName = yamlName;
    }

    public String yamlName() {
        return yamlName;
    }

    public static Optional<RuleType> fromYaml(String name) {
        return Arrays.stream(values()).filter(t -> t.yamlName.equals(name)).findFirst();
    }
}
