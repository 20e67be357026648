package io.ferry.policies.parse;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A broken edit must never stop a scheduler: whatever bytes a file holds, parsing returns a value (a policy, or
 * errors with positions inside the file), never an exception.
 */
class PolicyParserRobustnessTest {
    private static final String ALPHABET = "abcxyz019:-{}[],.\"' \n#&*!|>%@`";

    @Test
    void randomlyMangledPoliciesAlwaysGiveAnAnswer() throws IOException {
        String original = Files.readString(Path.of("examples/default.yaml"));
        Random r = new Random(42);
        for (int run = 0; run < 500; run++) {
            StringBuilder text = new StringBuilder(original);
            int edits = 1 + r.nextInt(4);
            for (int e = 0; e < edits; e++) {
                int at = r.nextInt(text.length());
                switch (r.nextInt(3)) {
                    case 0 -> text.deleteCharAt(at);
                    case 1 -> text.insert(at, ALPHABET.charAt(r.nextInt(ALPHABET.length())));
                    default -> text.setCharAt(at, ALPHABET.charAt(r.nextInt(ALPHABET.length())));
                }
            }
            String yaml = text.toString();
            long lines = yaml.lines().count() + 1;

            ParseResult result = PolicyParser.parse("m.yaml", yaml);

            assertThat(result.policy().isPresent()).as(yaml).isEqualTo(result.errors().isEmpty());
            assertThat(result.errors()).as(yaml).allSatisfy(error -> {
                assertThat(error.line()).isBetween(1, (int) lines + 1);
                assertThat(error.column()).isPositive();
                assertThat(error.message()).isNotBlank();
            });
        }
    }
}
