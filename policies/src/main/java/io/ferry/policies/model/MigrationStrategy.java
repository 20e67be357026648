package io.ferry.policies.model;

import java.util.Arrays;
import java.util.Optional;

/** How a live migration converges, by its YAML spelling. */
public enum MigrationStrategy {
    PRE_COPY("pre-copy"),
    POST_COPY("post-copy"),
    AUTO_CONVERGE("auto-converge"),
    /** pre-copy while it converges, then auto-converge or post-copy. */
    AUTO("auto");

    private final String yamlName;

    MigrationStrategy(String yamlName) {
        this.yamlName = yamlName;
    }

    public String yamlName() {
        return yamlName;
    }

    public static Optional<MigrationStrategy> fromYaml(String name) {
        return Arrays.stream(values()).filter(t -> t.yamlName.equals(name)).findFirst();
    }
}
