package io.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
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

      vmStartListStop(env);

      assertThat(up.stop(Duration.ofSeconds(30))).isIn(0, 130, 143);
      assertThat(up.out()).as(String.join("\n", up.err())).contains("ferry up: stopped");
    }
    for (int port : ports) {
      assertThat(isListening(port)).as("port %d still open after Ctrl-C", port).isFalse();
    }
    assertThat(tmp.resolve("context.json")).doesNotExist();
  }

  /** 'ferry vm start' puts a VM on a host that 'ferry vm list' and 'ferry status' show; 'ferry vm stop' removes it. */
  private void vmStartListStop(Map<String, String> env) throws Exception {
    Duration timeout = Duration.ofSeconds(60);
    Files.write(tmp.resolve("boot.img"), new byte[512]);
    Path spec = Files.writeString(tmp.resolve("web-1.yaml"), """
        name: web-1
        vcpus: 1
        memoryMiB: 16
        accelerator: tcg
        disks:
          - path: boot.img
        """);
    FerryProcess.Result started = FerryProcess.run(env, timeout, "vm", "start", "--host", "h1", "--spec",
        spec.toString());
    assertThat(started.exitCode()).as(started.err()).isZero();
    assertThat(started.out()).isEqualTo("VM web-1 started on h1 (running, 1 vCPUs, 16 MiB)");

    FerryProcess.Result list = FerryProcess.run(env, timeout, "vm", "list");
    assertThat(list.exitCode()).as(list.err()).isZero();
    assertThat(list.out().lines()).anyMatch(l -> l.matches("web-1\\s+h1\\s+running\\s+1\\s+16 MiB\\s+0%\\s+sim"));
    FerryProcess.Result status = FerryProcess.run(env, timeout, "status", "--format", "json");
    assertThat(status.out()).contains("\"name\": \"web-1\"");

    FerryProcess.Result elsewhere = FerryProcess.run(env, timeout, "vm", "start", "--host", "h2", "--spec",
        spec.toString());
    assertThat(elsewhere.exitCode()).isEqualTo(1);
    assertThat(elsewhere.err()).contains("VM web-1 already runs on h1: VM names are unique in the cluster");

    FerryProcess.Result stopped = FerryProcess.run(env, timeout, "vm", "stop", "web-1");
    assertThat(stopped.exitCode()).as(stopped.err()).isZero();
    assertThat(stopped.out()).isEqualTo("VM web-1 stopped on h1");
    FerryProcess.Result after = FerryProcess.run(env, timeout, "vm", "list", "--json");
    assertThat(after.exitCode()).as(after.err()).isZero();
    assertThat(after.out()).contains("\"name\": \"vm-01\"").doesNotContain("web-1");

    // The agent's VM event log recorded the start and the stop.
    try (var runs = Files.list(tmp.resolve("state"))) {
      Path events = runs.filter(p -> p.getFileName().toString().startsWith("run-")).findFirst().orElseThrow()
          .resolve("h1/vm-events.log");
      assertThat(Files.readAllLines(events)).filteredOn(l -> l.contains(" web-1 "))
          .extracting(l -> l.substring(l.indexOf(' ') + 1)).containsExactly("h1 web-1 RUNNING", "h1 web-1 STOPPED");
    }
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
