package io.ferry.it.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import io.ferry.common.testing.CiTools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two hosts in their own namespaces reach each other and the root namespace; a link set down cuts a host off and
 * setting it up restores it; tbf caps a link; nothing is left behind, also after a run that did not clean up.
 */
class NetNamespacesTest {
  private static final String ECHO = """
      import java.net.*;
      public class Echo {
        public static void main(String[] a) throws Exception {
          try (ServerSocket s = new ServerSocket(Integer.parseInt(a[1]), 50, InetAddress.getByName(a[0]))) {
            System.out.println("listening");
            while (true) {
              Socket c = s.accept();
              new Thread(() -> { try (c) { c.getInputStream().transferTo(c.getOutputStream()); }
                                 catch (Exception e) { } }).start();
            }
          }
        }
      }
      """;

  @TempDir
  Path tmp;

  @Test
  void hostsReachEachOtherUntilPartitionedAndTbfCapsTheirLinks() throws Exception {
    CiTools.require("ip");
    CiTools.require("tc");
    CiTools.requireUsable("network namespaces", NetNamespaces.unavailableBecause());
    Path echo = tmp.resolve("Echo.java");
    Files.writeString(echo, ECHO);
    List<Process> started = new ArrayList<>();
    try (NetNamespaces net = NetNamespaces.create()) {
      net.addHost(1);
      net.addHost(2);
      List<String> cmd = new ArrayList<>(net.exec(2));
      cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), echo.toString(),
          NetNamespaces.address(2), "7000"));
      Process server = new ProcessBuilder(cmd).start();
      started.add(server);
      assertThat(new String(server.getInputStream().readNBytes(9))).isEqualTo("listening");

      assertThat(pingFrom(net, 1)).as("host 1 reaches host 2 through the root namespace").isEqualTo("ping");
      assertThat(reachesRoot(net, 2)).as("host 2 reaches the root address").isTrue();

      net.link(2, false);
      assertThat(pingFrom(net, 1)).as("host 2 partitioned").isEmpty();
      net.link(2, true);
      assertThat(pingFrom(net, 1)).as("host 2 back").isEqualTo("ping");

      net.bandwidth(2, 256 * 1024);
      Duration capped = echoFromRoot(512 * 1024);
      net.bandwidth(2, 0);
      Duration free = echoFromRoot(512 * 1024);
      // 512 KiB in and 512 KiB out through a 256 KiB/s link: at least 2 s; without the cap far less
      assertThat(capped).isGreaterThanOrEqualTo(Duration.ofMillis(1800));
      assertThat(free).isLessThan(capped.dividedBy(2));
    } finally {
      started.forEach(Process::destroyForcibly);
    }
    assertThat(NetNamespaces.run("ip", "netns", "list").output()).doesNotContain("ferry-chaos-");
    assertThat(NetNamespaces.run("ip", "link", "show", "ferry-chaos0").ok()).isFalse();
  }

  @Test
  void leftoversOfACrashedRunAreRemovedBeforeTheNextStarts() throws Exception {
    CiTools.requireUsable("network namespaces", NetNamespaces.unavailableBecause());
    // Leave what a killed run leaves. A run killed for real (a CI job stopped mid-suite on a reused machine) may
    // already have left them, so making them may fail with "File exists": they must be there afterwards either way.
    NetNamespaces.run("ip", "netns", "add", NetNamespaces.namespace(9));
    NetNamespaces.run("ip", "link", "add", "ferry-chaos0", "type", "bridge");
    assertThat(NetNamespaces.run("ip", "netns", "list").output()).contains(NetNamespaces.namespace(9));
    assertThat(NetNamespaces.run("ip", "link", "show", "ferry-chaos0").ok()).isTrue();
    try (NetNamespaces net = NetNamespaces.create()) {
      assertThat(NetNamespaces.run("ip", "netns", "list").output()).doesNotContain(NetNamespaces.namespace(9));
      net.addHost(9);
    }
    assertThat(NetNamespaces.run("ip", "netns", "list").output()).doesNotContain("ferry-chaos-");
  }

  /** Sends "ping" from host {@code from} to host 2's echo server; what came back, or "" within 3 s. */
  private static String pingFrom(NetNamespaces net, int from) throws Exception {
    List<String> cmd = new ArrayList<>(net.exec(from));
    cmd.addAll(List.of("timeout", "3", "bash", "-c", "exec 3<>/dev/tcp/" + NetNamespaces.address(2)
        + "/7000; echo ping >&3; read -t 2 line <&3; echo \"$line\""));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes()).strip();
    p.waitFor(10, TimeUnit.SECONDS);
    return p.exitValue() == 0 ? out : "";
  }

  private static boolean reachesRoot(NetNamespaces net, int from) throws Exception {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1,
        java.net.InetAddress.getByName(NetNamespaces.ROOT_ADDRESS))) {
      List<String> cmd = new ArrayList<>(net.exec(from));
      cmd.addAll(List.of("timeout", "3", "bash", "-c", "exec 3<>/dev/tcp/" + NetNamespaces.ROOT_ADDRESS + "/"
          + s.getLocalPort()));
      Process p = new ProcessBuilder(cmd).start();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    }
  }

  private static Duration echoFromRoot(int bytes) throws Exception {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(NetNamespaces.address(2), 7000), 2_000);
      s.setSoTimeout(20_000);
      long t0 = System.nanoTime();
      Thread w = new Thread(() -> {
        try {
          OutputStream out = s.getOutputStream();
          out.write(new byte[bytes]);
          out.flush();
        } catch (Exception ignored) {
          // the reader fails
        }
      });
      w.start();
      InputStream in = s.getInputStream();
      assertThat(in.readNBytes(bytes)).hasSize(bytes);
      w.join();
      return Duration.ofNanos(System.nanoTime() - t0);
    }
  }
}
