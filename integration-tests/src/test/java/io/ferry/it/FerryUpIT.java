package io.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's main command: 'ferry up' starts a real cluster that 'ferry status' sees, and Ctrl-C ends it all. */
class FerryUpIT {
  private static final Pattern ADDRESS = Pattern.compile("(?:admin|metrics|zk)=127\\.0\\.0\\.1:(\\d+)");

  @TempDir
  Path tmp;

  @Test
  void upShowsTwoHostsInStatusAndStopsCleanly() throws Exception {
    Map<String, String> env = Map.of("FERRY_CONTEXT", tmp.resolve("context.json").toString());
    List<Integer> ports = new ArrayList<>();
    try (FerryProcess up = FerryProcess.start(env, "up", "--random-ports", "--no-tui", "--hosts", "2", "--vms", "4",
        "--state-dir", tmp.resolve("state").toString())) {
      up.awaitLine(l -> l.startsWith("context="), Duration.ofSeconds(60));
      assertThat(up.out().get(0)).matches("zk=127\\.0\\.0\\.1:\\d+ cluster=ferry-local");
      assertThat(up.out()).anyMatch(l -> l.matches("scheduler s1 admin=127\\.0\\.0\\.1:\\d+ metrics=127\\.0\\.0\\.1:\\d+"));
      assertThat(up.out()).anyMatch(l -> l.startsWith("agent h1 admin="));
      assertThat(up.out()).anyMatch(l -> l.startsWith("agent h2 admin="));
      for (String line : up.out()) {
        Matcher m = ADDRESS.matcher(line);
        while (m.find()) {
          ports.add(Integer.parseInt(m.group(1)));
        }
      }
      assertThat(ports).hasSizeGreaterThanOrEqualTo(7);

      // A plain 'ferry status' (no flags) finds the cluster through the context, over mTLS.
      FerryProcess.Result status = null;
      for (int attempt = 0; attempt < 30; attempt++) {
        status = FerryProcess.run(env, Duration.ofSeconds(60), "status", "--format", "json");
        if (status.exitCode() == 0 && status.out().contains("\"h2\"") && status.out().contains("\"h1\"")) {
          break;
        }
        Thread.sleep(500);
      }
      assertThat(status.exitCode()).as(status.err()).isZero();
      assertThat(status.out()).contains("\"leader\": \"s1\"").contains("\"name\": \"h1\"").contains("\"name\": \"h2\"");

      FerryProcess.Result table = FerryProcess.run(env, Duration.ofSeconds(60), "status");
      assertThat(table.out()).contains("leader s1").contains("HOSTS (2)");

      assertThat(up.stop(Duration.ofSeconds(30))).isIn(0, 130, 143);
      assertThat(up.out()).as(String.join("\n", up.err())).contains("ferry up: stopped");
    }
    for (int port : ports) {
      assertThat(isListening(port)).as("port %d still open after Ctrl-C", port).isFalse();
    }
    assertThat(tmp.resolve("context.json")).doesNotExist();
  }

  private static boolean isListening(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
