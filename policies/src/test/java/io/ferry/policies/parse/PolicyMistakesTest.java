package io.ferry.policies.parse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Thirty-odd distinct mistakes a platform team can make in a policy file. Each must come back as exactly the
 * expected error at the expected line and column, and must not yield a policy.
 */
class PolicyMistakesTest {
    private static final String HEADER = "apiVersion: ferry.io/v1\nkind: SchedulingPolicy\nmetadata: {name: p}\nspec:\n";

    /** A spec fragment; its first line is line 5 of the file. */
    private static Arguments spec(String description, String fragment, int line, int column, String message) {
        return Arguments.of(description, HEADER + fragment, line, column, message);
    }

    private static Arguments file(String description, String yaml, int line, int column, String message) {
        return Arguments.of(description, yaml, line, column, message);
    }

    static Stream<Arguments> mistakes() {
        return Stream.of(
                spec("unknown field with suggestion", "  balance:\n    aggresiveness: 3\n", 6, 5,
                        "unknown field 'spec.balance.aggresiveness'; did you mean 'aggressiveness'?"),
                spec("unknown section with suggestion", "  consolidaton: {enabled: true}\n", 5, 3,
                        "unknown field 'spec.consolidaton'; did you mean 'consolidation'?"),
                spec("unknown field without close match", "  limits: {colour: blue}\n", 5, 12,
                        "unknown field 'spec.limits.colour'"),
                spec("wrong type: text for integer", "  balance: {aggressiveness: high}\n", 5, 29,
                        "spec.balance.aggressiveness: expected a whole number, got string 'high'"),
                spec("wrong type: number for boolean", "  balance: {enabled: 1}\n", 5, 22,
                        "spec.balance.enabled: expected true or false, got integer '1'"),
                spec("wrong type: list for mapping", "  balance: [1, 2]\n", 5, 12,
                        "spec.balance: expected a mapping, got a list"),
                spec("wrong type: fraction for integer", "  limits: {maxMovesPerRound: 2.5}\n", 5, 30,
                        "spec.limits.maxMovesPerRound: expected a whole number, got number '2.5'"),
                spec("aggressiveness out of range", "  balance: {aggressiveness: 7}\n", 5, 29,
                        "spec.balance.aggressiveness: 7 is out of range 1..5"),
                spec("utilisation above 1", "  balance: {maxHostUtilization: 1.5}\n", 5, 33,
                        "spec.balance.maxHostUtilization: 1.5 is out of range 0.05..1"),
                spec("negative minImprovement", "  balance: {minImprovement: -0.1}\n", 5, 29,
                        "spec.balance.minImprovement: -0.1 is out of range 0..1"),
                spec("weights do not sum to 1", "  balance:\n    weights: {cpu: 0.6, memory: 0.5}\n", 6, 14,
                        "spec.balance.weights must sum to 1 (cpu 0.6 + memory 0.5 = 1.1)"),
                spec("duration without unit", "  interval: 60\n", 5, 13,
                        "spec.interval: missing unit in '60': use a whole number with ms, s, m, h or d"),
                spec("duration with unknown unit", "  balance: {sustainedFor: 3 minutes}\n", 5, 27,
                        "spec.balance.sustainedFor: bad duration '3 minutes': use a whole number with ms, s, m, h or d"),
                spec("zero interval", "  interval: 0s\n", 5, 13, "spec.interval: must be longer than 0s"),
                spec("bandwidth with decimal unit", "  migration: {bandwidth: 1GB/s}\n", 5, 26,
                        "spec.migration.bandwidth: bad rate '1GB/s': use a number with B/s, KiB/s, MiB/s, GiB/s or TiB/s"),
                spec("bandwidth without unit", "  migration: {bandwidth: 1000}\n", 5, 26,
                        "spec.migration.bandwidth: missing unit in '1000'"),
                spec("bandwidth too small", "  migration: {bandwidth: 10KiB/s}\n", 5, 26,
                        "spec.migration.bandwidth: must be at least 1MiB/s"),
                spec("unknown strategy", "  migration: {strategy: precopy}\n", 5, 25,
                        "spec.migration.strategy: unknown strategy 'precopy' (expected one of pre-copy, post-copy, "
                                + "auto-converge, auto); did you mean 'pre-copy'?"),
                spec("storage copy as a word", "  migration: {withStorage: copy}\n", 5, 28,
                        "spec.migration.withStorage: expected true or false, got string 'copy'"),
                spec("post-copy without permission", "  migration: {strategy: post-copy, allowPostCopy: false}\n",
                        5, 25, "spec.migration.strategy post-copy needs allowPostCopy: true"),
                spec("band low above high", "  consolidation:\n    band: {low: 0.8, high: 0.5}\n", 6, 11,
                        "spec.consolidation.band.low (0.8) must be below consolidation.band.high (0.5)"),
                spec("minHostsOn zero", "  consolidation: {minHostsOn: 0}\n", 5, 31,
                        "spec.consolidation.minHostsOn: 0 is too small: must be at least 1"),
                spec("warnC above evacuateC", "  failureAvoidance:\n    temperature: {warnC: 95, evacuateC: 90}\n",
                        6, 18, "spec.failureAvoidance.temperature.warnC (95.0) must be below evacuateC (90.0)"),
                spec("percentage used out of range", "  failureAvoidance:\n    smart: {nvmePercentageUsed: 300}\n",
                        6, 33, "spec.failureAvoidance.smart.nvmePercentageUsed: 300 is out of range 0..255"),
                spec("per-host cap above cluster cap",
                        "  limits: {maxConcurrentMigrations: 2, maxConcurrentPerHost: 4}\n", 5, 62,
                        "spec.limits.maxConcurrentPerHost (4) must not exceed maxConcurrentMigrations (2)"),
                spec("bad window syntax", "  windows: {nonUrgent: [\"Mon-Fry 20:00-06:00\"]}\n", 5, 25,
                        "spec.windows.nonUrgent[0]: bad window 'Mon-Fry 20:00-06:00': expected DAYS HH:MM-HH:MM"),
                spec("bad window hour", "  windows:\n    nonUrgent:\n      - Sat 00:00-25:00\n", 7, 9,
                        "spec.windows.nonUrgent[0]: bad window 'Sat 00:00-25:00'"),
                spec("unknown timezone", "  windows: {timezone: Europe/Pariss}\n", 5, 23,
                        "spec.windows.timezone: unknown timezone 'Europe/Pariss'; did you mean 'Europe/Paris'?"),
                spec("duplicate rule names",
                        "  rules:\n    - {name: a, type: vmAntiAffinity, vmSelector: {app: db}}\n"
                                + "    - {name: a, type: vmAntiAffinity, vmSelector: {app: web}}\n", 7, 14,
                        "spec.rules[1].name: duplicate rule name 'a' (first used on line 6)"),
                spec("unknown rule type", "  rules:\n    - {name: a, type: antiAffinity, vmSelector: {app: db}}\n",
                        6, 23, "spec.rules[0].type: unknown rule type 'antiAffinity' (expected one of vmAntiAffinity, "
                                + "vmHostAffinity); did you mean 'vmAntiAffinity'?"),
                spec("empty vm selector", "  rules:\n    - {name: a, type: vmAntiAffinity, vmSelector: {}}\n", 6, 51,
                        "spec.rules[0].vmSelector: empty selector"),
                spec("host affinity without host selector",
                        "  rules:\n    - {name: g, type: vmHostAffinity, vmSelector: {tier: gpu}}\n", 6, 7,
                        "spec.rules[0].hostSelector: empty selector: vmHostAffinity needs hosts"),
                spec("rule without name", "  rules:\n    - {type: vmAntiAffinity, vmSelector: {app: db}}\n", 6, 7,
                        "spec.rules[0].name: a rule needs a non-empty name"),
                spec("empty rule", "  rules:\n    -\n", 6, 6, "spec.rules[0]: empty rule: give name, type and vmSelector"),
                spec("rules not a list", "  rules: {name: a}\n", 5, 10, "spec.rules: expected a list, got a mapping"),
                spec("duplicate field", "  interval: 60s\n  interval: 30s\n", 6, 3,
                        "duplicate field 'spec.interval' (first set on line 5)"),
                file("wrong apiVersion", "apiVersion: ferry.io/v2\nkind: SchedulingPolicy\nmetadata: {name: p}\n",
                        1, 13, "apiVersion: expected 'ferry.io/v1', got 'ferry.io/v2'"),
                file("wrong kind", "apiVersion: ferry.io/v1\nkind: Policy\nmetadata: {name: p}\n", 2, 7,
                        "kind: expected 'SchedulingPolicy', got 'Policy'"),
                file("missing kind", "apiVersion: ferry.io/v1\nmetadata: {name: p}\n", 1, 1,
                        "missing field 'kind' (expected kind: SchedulingPolicy)"),
                file("missing name", "apiVersion: ferry.io/v1\nkind: SchedulingPolicy\nmetadata: {}\n", 3, 11,
                        "metadata.name: missing policy name"),
                file("invalid name", "apiVersion: ferry.io/v1\nkind: SchedulingPolicy\nmetadata: {name: My Policy}\n",
                        3, 18, "metadata.name: 'My Policy' is not a valid name"),
                file("yaml syntax error", "apiVersion: ferry.io/v1\nkind: SchedulingPolicy\nmetadata: {name: p\n", 4, 1,
                        "YAML syntax error"),
                file("bad indentation", "apiVersion: ferry.io/v1\nkind: SchedulingPolicy\n metadata: {name: p}\n", 3, 10,
                        "YAML syntax error: mapping values are not allowed here"),
                file("multiple documents", HEADER + "  interval: 60s\n---\n" + HEADER, 7, 1,
                        "multiple YAML documents in one file"),
                file("empty file", "", 1, 1, "empty file: expected a SchedulingPolicy"),
                file("not a mapping", "- a\n- b\n", 1, 1, "expected a mapping with apiVersion, kind, metadata and spec, got a list"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mistakes")
    void reportsMistakeAtItsPosition(String description, String yaml, int line, int column, String message) {
        ParseResult result = PolicyParser.parse("p.yaml", yaml);

        assertThat(result.policy()).as(description).isEmpty();
        assertThat(result.errors()).as(description + ": " + result.errors()).hasSize(1);
        PolicyError error = result.errors().get(0);
        assertThat(error.message()).as(description).contains(message);
        assertThat(List.of(error.line(), error.column())).as(description + ": " + error).containsExactly(line, column);
        assertThat(error.toString()).startsWith("p.yaml:" + line + ":" + column + ": ");
    }
}
