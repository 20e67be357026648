package io.ferry.policies.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyCheckTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void printsOkForValidFiles() {
        int code = PolicyCheck.run(List.of(Path.of("examples/default.yaml"), Path.of("examples/performance.yaml")),
                stream(out), stream(err));

        assertThat(code).isZero();
        assertThat(text(out)).contains("examples/default.yaml: ok (policy default)",
                "examples/performance.yaml: ok (policy performance)");
        assertThat(text(err)).isEmpty();
    }

    @Test
    void printsEveryErrorOfEveryFileAndFails(@TempDir Path dir) throws IOException {
        Path a = Files.writeString(dir.resolve("a.yaml"),
                "apiVersion: ferry.io/v1\nkind: SchedulingPolicy\nmetadata: {name: a}\nspec: {interval: 5}\n");
        Path b = Files.writeString(dir.resolve("b.yaml"),
                "apiVersion: ferry.io/v1\nkind: Policy\nmetadata: {name: b}\nspec: {limits: {maxMovesPerRound: 0}}\n");

        int code = PolicyCheck.run(List.of(a, Path.of("examples/default.yaml"), b), stream(out), stream(err));

        assertThat(code).isEqualTo(PolicyCheck.EXIT_INVALID);
        assertThat(text(err)).contains(a + ":4:18: spec.interval: missing unit in '5'", b + ":2:7: kind: expected",
                b + ":4:35: spec.limits.maxMovesPerRound: 0 is out of range 1..100000", "2 of 3 policy file(s) invalid");
        assertThat(text(out)).contains("default.yaml: ok");
    }

    @Test
    void reportsUnreadableFile(@TempDir Path dir) {
        int code = PolicyCheck.run(List.of(dir.resolve("missing.yaml")), stream(out), stream(err));

        assertThat(code).isEqualTo(PolicyCheck.EXIT_INVALID);
        assertThat(text(err)).contains("missing.yaml:1:1: cannot read file");
    }

    private static PrintStream stream(ByteArrayOutputStream bytes) {
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }

    private static String text(ByteArrayOutputStream bytes) {
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
