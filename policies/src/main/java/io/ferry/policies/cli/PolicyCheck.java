package io.ferry.policies.cli;

import io.ferry.policies.parse.ParseResult;
import io.ferry.policies.parse.PolicyError;
import io.ferry.policies.parse.PolicyParser;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code ferry policy check FILE...}: validates every file, prints every error of every file as
 * {@code file:line:column: message} on {@code err} and {@code FILE: ok (policy NAME)} on {@code out} for good ones.
 */
public final class PolicyCheck {
    /** Exit code when at least one file has an error. */
    public static final int EXIT_INVALID = 1;
    /** Exit code when no file was given. */
    public static final int EXIT_USAGE = 2;

    private PolicyCheck() {
    }

    /** Returns 0 when every file is valid, {@link #EXIT_INVALID} otherwise. */
    public static int run(List<Path> files, PrintStream out, PrintStream err) {
        if (files.isEmpty()) {
            err.println("ferry policy check: no policy file given");
            return EXIT_USAGE;
        }
        int bad = 0;
        for (Path file : files) {
            ParseResult result = PolicyParser.parse(file);
            if (result.ok()) {
                out.println(file + ": ok (policy " + result.policy().orElseThrow().name() + ")");
            } else {
                bad++;
                for (PolicyError error : result.errors()) {
                    err.println(error);
                }
            }
        }
        if (bad > 0) {
            err.println(bad + " of " + files.size() + " policy file(s) invalid");
            return EXIT_INVALID;
        }
        return 0;
    }
}
