package io.ferry.policies.model;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A validated {@code SchedulingPolicy} (apiVersion {@code ferry.io/v1}). Every field has a default, so
 * {@link #defaults(String)} is a complete policy; the parser builds instances from YAML files.
 *
 * @param name     {@code metadata.name}
 * @param interval how often the scheduler plans a round
 */
public record SchedulingPolicy(
        String name,
        Duration interval,
        BalanceSettings balance,
        ConsolidationSettings consolidation,
        FailureAvoidanceSettings failureAvoidance,
        Limits limits,
        Windows windows,
        List<Rule> rules,
        MigrationSettings migration,
        PowerModel power) {

    public static final String API_VERSION = "ferry.io/v1";
    public static final String KIND = "SchedulingPolicy";
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(60);

    public SchedulingPolicy {
        Objects.requireNonNull(name, "metadata.name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("metadata.name must not be empty");
        }
        Require.positive("interval", interval);
        Objects.requireNonNull(balance, "balance");
        Objects.requireNonNull(consolidation, "consolidation");
        Objects.requireNonNull(failureAvoidance, "failureAvoidance");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(windows, "windows");
        Objects.requireNonNull(migration, "migration");
        Objects.requireNonNull(power, "power");
        rules = List.copyOf(rules);
        Set<String> seen = new HashSet<>();
        for (Rule rule : rules) {
            if (!seen.add(rule.name())) {
                throw new IllegalArgumentException("duplicate rule name '" + rule.name() + "'");
            }
        }
    }

    /** The built-in policy: every field at its documented default. */
    public static SchedulingPolicy defaults(String name) {
        return new SchedulingPolicy(name, DEFAULT_INTERVAL, BalanceSettings.DEFAULTS, ConsolidationSettings.DEFAULTS,
                FailureAvoidanceSettings.DEFAULTS, Limits.DEFAULTS, Windows.ANY_TIME, List.of(),
                MigrationSettings.DEFAULTS, PowerModel.DEFAULTS);
    }

    public SchedulingPolicy withBalance(BalanceSettings value) {
        return new SchedulingPolicy(name, interval, value, consolidation, failureAvoidance, limits, windows, rules,
                migration, power);
    }

    public SchedulingPolicy withMigration(MigrationSettings value) {
        return new SchedulingPolicy(name, interval, balance, consolidation, failureAvoidance, limits, windows, rules,
                value, power);
    }

    public SchedulingPolicy withConsolidation(ConsolidationSettings value) {
        return new SchedulingPolicy(name, interval, balance, value, failureAvoidance, limits, windows, rules,
                migration, power);
    }

    public SchedulingPolicy withLimits(Limits value) {
        return new SchedulingPolicy(name, interval, balance, consolidation, failureAvoidance, value, windows, rules,
                migration, power);
    }

    public SchedulingPolicy withWindows(Windows value) {
        return new SchedulingPolicy(name, interval, balance, consolidation, failureAvoidance, limits, value, rules,
                migration, power);
    }

    public SchedulingPolicy withRules(List<Rule> value) {
        return new SchedulingPolicy(name, interval, balance, consolidation, failureAvoidance, limits, windows, value,
                migration, power);
    }

    public SchedulingPolicy withFailureAvoidance(FailureAvoidanceSettings value) {
        return new SchedulingPolicy(name, interval, balance, consolidation, value, limits, windows, rules,
                migration, power);
    }
}
