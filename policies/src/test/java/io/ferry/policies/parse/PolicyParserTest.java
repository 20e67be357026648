package io.ferry.policies.parse;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.policies.model.MigrationStrategy;
import io.ferry.policies.model.RuleType;
import io.ferry.policies.model.SchedulingPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class PolicyParserTest {

    @Test
    void minimalFileGetsEveryDefault() {
        ParseResult result = PolicyParser.parse("min.yaml",
                "apiVersion: ferry.io/v1\nkind: SchedulingPolicy\nmetadata: {name: minimal}\n");

        assertThat(result.errors()).isEmpty();
        assertThat(result.policy()).contains(SchedulingPolicy.defaults("minimal"));
    }

    @Test
    void readsEveryFieldOfTheIssueExample() throws IOException {
        SchedulingPolicy p = PolicyParser.parse(Path.of("examples/default.yaml")).policy().orElseThrow();

        assertThat(p.name()).isEqualTo("default");
        assertThat(p.interval()).isEqualTo(Duration.ofSeconds(60));
        assertThat(p.balance().aggressiveness()).isEqualTo(3);
        assertThat(p.balance().cpuWeight()).isEqualTo(0.6);
        assertThat(p.balance().sustainedFor()).isEqualTo(Duration.ofMinutes(3));
        assertThat(p.consolidation().enabled()).isTrue();
        assertThat(p.consolidation().bandHigh()).isEqualTo(0.81);
        assertThat(p.consolidation().powerOffAfter()).isEqualTo(Duration.ofMinutes(40));
        assertThat(p.failureAvoidance().temperature().evacuateC()).isEqualTo(90);
        assertThat(p.failureAvoidance().smart().nvmePercentageUsed()).isEqualTo(95);
        assertThat(p.limits().vmCooldown()).isEqualTo(Duration.ofMinutes(30));
        assertThat(p.windows().nonUrgent()).hasSize(2);
        assertThat(p.rules()).extracting(r -> r.type())
                .containsExactly(RuleType.VM_ANTI_AFFINITY, RuleType.VM_HOST_AFFINITY);
        assertThat(p.rules().get(1).hostSelector()).containsEntry("gpu", "true");
        assertThat(p.migration().strategy()).isEqualTo(MigrationStrategy.AUTO);
        assertThat(p.migration().maxDowntime()).isEqualTo(Duration.ofMillis(300));
        assertThat(p.migration().bandwidthBytesPerSecond()).isEqualTo(1L << 30);
    }

    @Test
    void withStorageIsOffUnlessThePolicyTurnsItOn() {
        assertThat(SchedulingPolicy.defaults("d").migration().withStorage()).as("shared storage by default").isFalse();
        ParseResult result = PolicyParser.parse("local-disks.yaml", """
                apiVersion: ferry.io/v1
                kind: SchedulingPolicy
                metadata: {name: local-disks}
                spec:
                  migration: {withStorage: true}
                """);
        assertThat(result.errors()).isEmpty();
        assertThat(result.policy().orElseThrow().migration().withStorage()).isTrue();
    }

    @Test
    void everyShippedExampleIsValid() throws IOException {
        List<Path> examples;
        try (Stream<Path> files = Files.list(Path.of("examples"))) {
            examples = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }

        assertThat(examples).extracting(f -> f.getFileName().toString())
                .contains("default.yaml", "power-saver.yaml", "conservative.yaml", "performance.yaml");
        for (Path example : examples) {
            assertThat(PolicyParser.parse(example).errors()).as(example.toString()).isEmpty();
        }
    }

    @Test
    void reportsEveryErrorOfAFileNotJustTheFirst() {
        ParseResult result = PolicyParser.parse("bad.yaml", """
                apiVersion: ferry.io/v1
                kind: SchedulingPolicy
                metadata: {name: bad}
                spec:
                  interval: 60
                  balance: {aggressiveness: 9, weights: {cpu: 0.6, memroy: 0.4}}
                  limits: {vmCooldown: 30 min}
                """);

        assertThat(result.errors()).extracting(PolicyError::toString).containsExactly(
                "bad.yaml:5:13: spec.interval: missing unit in '60': use a whole number with ms, s, m, h or d "
                        + "(e.g. 60s, 3m, 300ms)",
                "bad.yaml:6:29: spec.balance.aggressiveness: 9 is out of range 1..5",
                "bad.yaml:6:52: unknown field 'spec.balance.weights.memroy'; did you mean 'memory'?",
                "bad.yaml:7:24: spec.limits.vmCooldown: bad duration '30 min': use a whole number with ms, s, m, h or d "
                        + "(e.g. 60s, 3m, 300ms)");
    }

    @Test
    void weightsWithinToleranceAreAccepted() {
        ParseResult result = PolicyParser.parse("w.yaml", """
                apiVersion: ferry.io/v1
                kind: SchedulingPolicy
                metadata: {name: w}
                spec:
                  balance: {weights: {cpu: 0.3333333, memory: 0.6666667}}
                """);

        assertThat(result.errors()).isEmpty();
    }
}
