package io.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input gets one clear line saying what is wrong, a non-zero exit, and no stack trace. */
class CliErrorsTest {
  @TempDir
  Path tmp;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeEach
  void isolateContext() {
    System.setProperty("ferry.context", tmp.resolve("context.json").toString());
  }

  @AfterEach
  void restore() {
    System.clearProperty("ferry.context");
  }

  private int ferry(String... args) {
    return Ferry.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
  }

  private void assertNoStackTrace() {
    assertThat(err.toString()).doesNotContain("\tat ").doesNotContain("Exception:");
  }

  @Test
  void unknownSubcommandIsNamedWithSuggestion() {
    assertThat(ferry("stauts")).isEqualTo(2);
    assertThat(err.toString()).contains("unknown command 'stauts'").contains("status");
    assertNoStackTrace();
  }

  @Test
  void unknownFlagIsNamed() {
    assertThat(ferry("status", "--bogus")).isEqualTo(2);
    assertThat(err.toString()).contains("ferry status: Unknown option: '--bogus'")
        .contains("Try 'ferry status --help'");
  }

  @Test
  void missingRequiredOptionIsNamed() {
    assertThat(ferry("zk")).isEqualTo(2);
    assertThat(err.toString()).contains("Missing required option: '--data=DIR'");
  }

  @Test
  void badDurationSaysWhatADurationLooksLike() {
    assertThat(ferry("agent", "--zk", "127.0.0.1:2181", "--insecure", "--report-interval", "5 parsecs")).isEqualTo(2);
    assertThat(err.toString()).contains("'5 parsecs' is not a duration");
  }

  @Test
  void simHugePagesOnAQemuHostSaysItNeedsTheSimHypervisor() {
    assertThat(ferry("agent", "--zk", "127.0.0.1:1", "--insecure", "--hypervisor", "qemu", "--sim-hugepages"))
        .isEqualTo(1);
    assertThat(err.toString()).contains("--sim-hugepages needs --hypervisor sim").doesNotContain("ZooKeeper");
    assertNoStackTrace();
  }

  @Test
  void simHugePagesWithDurableSimVmsSaysWhyNot() {
    assertThat(ferry("agent", "--zk", "127.0.0.1:1", "--insecure", "--hypervisor", "sim", "--state-dir",
        tmp.toString(), "--sim-hugepages")).isEqualTo(1);
    assertThat(err.toString()).contains("--sim-hugepages cannot be combined with --state-dir")
        .doesNotContain("ZooKeeper");
    assertNoStackTrace();
  }

  @Test
  void unreachableZooKeeperSaysHowToStartOne() {
    assertThat(ferry("status", "--zk", "127.0.0.1:1", "--cluster", "c", "--insecure")).isEqualTo(1);
    assertThat(err.toString()).contains("cannot reach ZooKeeper at 127.0.0.1:1").contains("ferry up");
    assertNoStackTrace();
  }

  @Test
  void statusWithoutClusterOrContextSaysWhatToPass() {
    assertThat(ferry("status")).isEqualTo(1);
    assertThat(err.toString()).contains("no cluster given and no current context").contains("--zk");
  }

  @Test
  void missingCertificateDirectoryIsNamed() {
    assertThat(ferry("scheduler", "--zk", "127.0.0.1:1", "--certs", tmp.resolve("nope").toString())).isEqualTo(1);
    assertThat(err.toString()).contains("certificate directory").contains("nope").contains("does not exist");
    assertNoStackTrace();
  }

  @Test
  void unreadableCertificateIsNamed() throws Exception {
    assertThat(ferry("certs", "init", "--out", tmp.resolve("c").toString())).isEqualTo(0);
    Files.writeString(tmp.resolve("c/node.key"), "garbage");
    assertThat(ferry("scheduler", "--zk", "127.0.0.1:1", "--certs", tmp.resolve("c").toString())).isEqualTo(1);
    assertThat(err.toString()).contains("node.key").contains("not PEM");
    assertNoStackTrace();
  }

  @Test
  void portInUseIsNamed() throws Exception {
    try (ServerSocket busy = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      int code = ferry("zk", "--port", Integer.toString(busy.getLocalPort()), "--data", tmp.resolve("zk").toString());
      assertThat(code).isEqualTo(1);
      assertThat(err.toString()).contains("port " + busy.getLocalPort()).contains("already in use");
    }
    assertNoStackTrace();
  }

  @Test
  void certsInitRefusesToOverwriteACa() {
    String dir = tmp.resolve("ca").toString();
    assertThat(ferry("certs", "init", "--out", dir)).isEqualTo(0);
    assertThat(tmp.resolve("ca/ca.crt")).exists();
    assertThat(tmp.resolve("ca/node.key")).exists();
    assertThat(ferry("certs", "init", "--out", dir)).isEqualTo(1);
    assertThat(err.toString()).contains("already holds a CA").contains("--force");
  }

  @Test
  void vmStartNamesAMissingSpecFileBeforeContactingTheCluster() {
    assertThat(ferry("vm", "start", "--host", "h1", "--spec", tmp.resolve("nope.yaml").toString(), "--zk",
        "127.0.0.1:1", "--cluster", "c", "--insecure")).isEqualTo(1);
    assertThat(err.toString()).contains("ferry vm start: VM spec file " + tmp.resolve("nope.yaml") + " does not exist");
    assertNoStackTrace();
  }

  @Test
  void vmStartNamesFileAndLineOfABadSpec() throws Exception {
    Path spec = tmp.resolve("web-1.yaml");
    Files.writeString(spec, "name: web-1\nvcpus: 1\nmemoryMiB: lots\ndisks:\n  - path: boot.img\n");
    assertThat(ferry("vm", "start", "--host", "h1", "--spec", spec.toString(), "--insecure")).isEqualTo(1);
    assertThat(err.toString()).contains("ferry vm start: " + spec + ":3: memoryMiB must be a whole number, got 'lots'");
    assertNoStackTrace();
  }

  @Test
  void vmStartWithoutHostIsAUsageError() {
    assertThat(ferry("vm", "start", "--spec", "web-1.yaml")).isEqualTo(2);
    assertThat(err.toString()).contains("Missing required option: '--host=HOST'").contains("Try 'ferry vm start --help'");
  }

  @Test
  void vmListAndStopWithoutClusterSayWhatToPass() {
    assertThat(ferry("vm", "list")).isEqualTo(1);
    assertThat(ferry("vm", "stop", "web-1")).isEqualTo(1);
    assertThat(err.toString()).contains("ferry vm list: no cluster given and no current context")
        .contains("ferry vm stop: no cluster given and no current context");
    assertNoStackTrace();
  }

  @Test
  void everySubcommandExplainsItselfInHelp() {
    for (String cmd : new String[] {"up", "zk", "scheduler", "agent", "plan", "policy", "status", "drain", "migrate",
        "certs", "signals", "bench", "vm"}) {
      StringWriter o = new StringWriter();
      int code = Ferry.run(new PrintWriter(o, true), new PrintWriter(err, true), cmd, "--help");
      assertThat(code).as(cmd).isZero();
      assertThat(o.toString()).as(cmd).contains("Usage: ferry " + cmd);
    }
    for (String sub : new String[] {"start", "list", "stop"}) {
      StringWriter o = new StringWriter();
      assertThat(Ferry.run(new PrintWriter(o, true), new PrintWriter(err, true), "vm", sub, "--help")).isZero();
      assertThat(o.toString()).as(sub).contains("Usage: ferry vm " + sub);
    }
  }
}
