package io.ferry.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for processes the tests kill and restart on the same port (ZooKeeper members, schedulers, agents). A port
 * from the kernel's ephemeral range ({@code ServerSocket(0)}) is also what outgoing connections take as their
 * source port: while its owner is down, or before a ZooKeeper member that only listens on its quorum port once it
 * leads, any connection can take it and the restarted process cannot bind ("Leader failed to initialize any of the
 * following sockets"). These come from below the ephemeral range, where the kernel never picks a source port.
 */
public final class StablePorts {
  private static final int LOWEST = 10_000;
  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

  private StablePorts() {
  }

  /** A port free on {@code host} now, outside the ephemeral range, not handed out before in this JVM. */
  public static int free(String host) {
    int below = ephemeralLow();
    for (int attempt = 0; attempt < 1000; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(LOWEST, below);
      if (!HANDED_OUT.add(port)) {
        continue;
      }
      try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName(host))) {
        return s.getLocalPort();
      } catch (IOException inUse) {
        // try another
      }
    }
    throw new UncheckedIOException(new IOException("no free port between " + LOWEST + " and " + below + " on "
        + host));
  }

  /** Loopback. */
  public static int free() {
    return free("127.0.0.1");
  }

  /**
   * The kernel's ephemeral port range, "LOW\tHIGH" (read line by line: {@code Files.readString} returns only the
   * first byte of this /proc file).
   */
  static String ephemeralRange() throws IOException {
    try (var r = Files.newBufferedReader(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
      return r.readLine();
    }
  }

  private static int ephemeralLow() {
    try {
      int low = Integer.parseInt(ephemeralRange().trim().split("\\s+")[0]);
      return low > LOWEST + 1000 ? low : 32768;
    } catch (IOException | RuntimeException e) {
      return 32768;
    }
  }
}
