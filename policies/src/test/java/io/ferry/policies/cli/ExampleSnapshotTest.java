package io.ferry.policies.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The shipped example snapshot plans cleanly with every shipped example policy (the {@code ferry plan} demo). */
class ExampleSnapshotTest {
    @Test
    void everyExamplePolicyPlansTheExampleSnapshot() throws IOException {
        List<Path> policies;
        try (Stream<Path> files = Files.list(Path.of("examples"))) {
            policies = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
        for (Path policy : policies) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();

            int code = PlanCommandSupport.run(Path.of("examples/snapshot.json"), policy, "table", true,
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

            assertThat(code).as(policy + ": " + err).isZero();
            String plan = out.toString(StandardCharsets.UTF_8);
            // h1 is predicted past evacuateC, h3 drains: both are urgent whatever the policy.
            assertThat(plan).as(policy.toString()).contains("evacuate-temperature", "drain", "mode  h1 -> quarantine");
        }
    }
}
