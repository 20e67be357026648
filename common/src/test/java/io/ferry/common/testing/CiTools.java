package io.ferry.common.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Test kit: a test that needs an external tool calls {@link #require}. Outside CI a missing tool skips the test;
 * with {@code CI=true} it fails, so CI can never pass by skipping.
 */
public final class CiTools {
  private CiTools() {}

  public static boolean inCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  public static Path require(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path p = Path.of(dir, tool);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    unavailable(tool + " is not installed (the README's test command installs it)");
    return null;
  }

  /**
   * For a facility the machine may not offer (network namespaces need root): {@code whyNot} is null when it is
   * usable; otherwise the test skips, or with {@code CI=true} fails.
   */
  public static void requireUsable(String what, String whyNot) {
    if (whyNot != null) {
      unavailable(what + " not usable here: " + whyNot);
    }
  }

  private static void unavailable(String msg) {
    if (inCi()) {
      fail(msg);
    }
    assumeTrue(false, msg);
  }
}
