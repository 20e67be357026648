package io.ferry.policies.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.policies.snapshot.SnapshotJson;
import io.ferry.policies.testkit.TestCluster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlanCommandSupportTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private Path snapshot(Path dir) throws IOException {
        TestCluster c = new TestCluster();
        c.host("hot", 16, 65536).temperature(TestCluster.flat(TestCluster.NOW, Duration.ofMinutes(5), 95));
        c.host("cool", 16, 65536);
        c.vm("v1", "hot", 1, 4096);
        Path file = dir.resolve("snapshot.json");
        SnapshotJson.write(c.build(), file);
        return file;
    }

    private int run(Path snapshot, Path policy, String format, boolean explain) {
        return PlanCommandSupport.run(snapshot, policy, format, explain, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void plansWithTheDefaultPolicyAsJson(@TempDir Path dir) throws IOException {
        assertThat(run(snapshot(dir), null, "json", false)).isZero();

        assertThat(out.toString(StandardCharsets.UTF_8)).contains("\"reason\" : \"evacuate-temperature\"");
    }

    @Test
    void plansWithAPolicyFileAsTable(@TempDir Path dir) throws IOException {
        assertThat(run(snapshot(dir), Path.of("examples/performance.yaml"), "table", true)).isZero();

        assertThat(out.toString(StandardCharsets.UTF_8)).contains("policy performance", "v1", "hot", "cool");
    }

    @Test
    void rejectsInvalidInputsWithTheirErrors(@TempDir Path dir) throws IOException {
        Path badPolicy = Files.writeString(dir.resolve("p.yaml"), "apiVersion: ferry.io/v1\nkind: Nope\n");
        Path badSnapshot = Files.writeString(dir.resolve("s.json"), "{\"now\": \"2026-11-26T23:00:00Z\", \"hosts\": 3}");

        assertThat(run(snapshot(dir), badPolicy, "json", false)).isEqualTo(PlanCommandSupport.EXIT_BAD_INPUT);
        assertThat(run(badSnapshot, null, "json", false)).isEqualTo(PlanCommandSupport.EXIT_BAD_INPUT);
        assertThat(run(snapshot(dir), null, "yaml", false)).isEqualTo(PlanCommandSupport.EXIT_USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("p.yaml:2:7: kind: expected 'SchedulingPolicy'",
                "s.json: hosts: expected an array", "unknown format 'yaml'");
    }
}
