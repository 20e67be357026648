package io.ferry.it.chaos;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Test harness: one network namespace per simulated host, each joined to the root namespace by a veth pair
 * ({@code 10.77.N.2/30} inside, {@code 10.77.N.1/30} outside, default route out, forwarding on so hosts reach each
 * other through the root namespace). Processes of the root namespace (ZooKeeper, schedulers, the proxies) listen on
 * {@link #ROOT_ADDRESS}, on an otherwise empty bridge, reachable from every namespace. A partition is the outside end of a
 * host's link set down; a slow link is a {@code tbf} qdisc on both ends ({@code netem} is not available on these
 * machines).
 *
 * <p>Only one harness uses namespaces at a time (a lock file); it deletes what a crashed earlier run left behind
 * ({@code ferry-chaos-*} namespaces and the bridge) before it starts, and everything it made on close.
 */
public final class NetNamespaces implements AutoCloseable {
  public static final String ROOT_ADDRESS = "10.77.254.1";
  private static final String PREFIX = "ferry-chaos-";
  private static final String ANCHOR = "ferry-chaos0";
  private static final Path ETC_NETNS = Path.of("/etc/netns");
  private static final Path LOCK = Path.of(System.getProperty("java.io.tmpdir"), "ferry-chaos-netns.lock");

  private final FileChannel lockFile;
  private final FileLock lock;
  private final List<Integer> hosts = new ArrayList<>();
  private final String forwardingBefore;

  private NetNamespaces(FileChannel lockFile, FileLock lock, String forwardingBefore) {
    this.lockFile = lockFile;
    this.lock = lock;
    this.forwardingBefore = forwardingBefore;
  }

  /**
   * Why namespaces cannot be used here, or null when they can (root, {@code ip} and {@code tc} present, and a
   * namespace can actually be made).
   */
  public static String unavailableBecause() {
    if (!"root".equals(System.getProperty("user.name"))) {
      return "not root (network namespaces need CAP_NET_ADMIN)";
    }
    for (String tool : new String[] {"ip", "tc"}) {
      if (!onPath(tool)) {
        return tool + " is not installed (iproute2)";
      }
    }
    String probe = PREFIX + "probe-" + ProcessHandle.current().pid();
    Result add = run("ip", "netns", "add", probe);
    run("ip", "netns", "del", probe);
    return add.ok() ? null : "ip netns add failed: " + add.output().strip();
  }

  private static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
      if (Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return Files.isExecutable(Path.of("/usr/sbin", tool)) || Files.isExecutable(Path.of("/sbin", tool));
  }

  /** Takes the lock (waiting for another run to finish), removes stale leftovers and makes the root anchor. */
  public static NetNamespaces create() throws IOException {
    FileChannel ch = FileChannel.open(LOCK, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock = ch.lock();
    removeStale();
    String forwarding = Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")).strip();
    NetNamespaces n = new NetNamespaces(ch, lock, forwarding);
    try {
      must("ip", "link", "add", ANCHOR, "type", "bridge"); // a bridge without ports: no dummy module here
      must("ip", "addr", "add", ROOT_ADDRESS + "/32", "dev", ANCHOR);
      must("ip", "link", "set", ANCHOR, "up");
      must("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
    } catch (RuntimeException e) {
      n.close();
      throw e;
    }
    return n;
  }

  /** Deletes every {@code ferry-chaos-*} namespace (their veth pairs go with them) and the anchor. */
  static void removeStale() {
    for (String line : run("ip", "netns", "list").output().split("\n")) {
      String name = line.split(" ")[0].strip();
      if (name.startsWith(PREFIX)) {
        run("ip", "netns", "del", name);
      }
    }
    if (Files.isDirectory(ETC_NETNS)) {
      try (java.util.stream.Stream<Path> dirs = Files.list(ETC_NETNS)) {
        dirs.map(d -> d.getFileName().toString()).filter(n -> n.startsWith(PREFIX)).forEach(NetNamespaces::deleteEtc);
      } catch (IOException ignored) {
        // nothing to clean
      }
    }
    run("ip", "link", "del", ANCHOR);
  }

  public static String namespace(int host) {
    return PREFIX + "h" + host;
  }

  /** The outside end of host {@code host}'s link, in the root namespace. */
  static String outside(int host) {
    return "fchaos-h" + host;
  }

  /** The host's own address, inside its namespace. */
  public static String address(int host) {
    return "10.77." + host + ".2";
  }

  /** Makes namespace {@code host} (1..250) with its link to the root namespace. */
  public void addHost(int host) {
    if (host < 1 || host > 250) {
      throw new IllegalArgumentException("host number must be 1..250, got " + host);
    }
    String ns = namespace(host);
    String out = outside(host);
    must("ip", "netns", "add", ns);
    hosts.add(host);
    writeEtc(ns);
    must("ip", "link", "add", out, "type", "veth", "peer", "name", "eth0", "netns", ns);
    must("ip", "addr", "add", "10.77." + host + ".1/30", "dev", out);
    must("ip", "link", "set", out, "up");
    must("ip", "-n", ns, "link", "set", "lo", "up");
    must("ip", "-n", ns, "addr", "add", address(host) + "/30", "dev", "eth0");
    must("ip", "-n", ns, "link", "set", "eth0", "up");
    must("ip", "-n", ns, "route", "add", "default", "via", "10.77." + host + ".1");
  }

  /**
   * The machine's name server is not reachable from a namespace, and every reverse lookup (ZooKeeper's client does
   * one per connection) would wait for its time-out: {@code ip netns exec} puts {@code /etc/netns/NS/*} over
   * {@code /etc}, so the namespace gets a resolv.conf without name server (lookups fail at once) and a hosts file
   * naming the harness' addresses.
   */
  private static void writeEtc(String ns) {
    Path etc = ETC_NETNS.resolve(ns);
    StringBuilder hosts = new StringBuilder("127.0.0.1 localhost\n" + ROOT_ADDRESS + " ferry-chaos-root\n");
    for (int h = 1; h <= 250; h++) {
      hosts.append(address(h)).append(" ferry-chaos-h").append(h).append('\n');
    }
    try {
      Files.createDirectories(etc);
      Files.writeString(etc.resolve("resolv.conf"), "# ferry chaos harness: no name server in this namespace\n"
          + "options timeout:1 attempts:1\n");
      Files.writeString(etc.resolve("hosts"), hosts.toString());
    } catch (IOException e) {
      throw new IllegalStateException("cannot write " + etc + ": " + e.getMessage(), e);
    }
  }

  private static void deleteEtc(String ns) {
    Path etc = ETC_NETNS.resolve(ns);
    try {
      for (String f : new String[] {"resolv.conf", "hosts"}) {
        Files.deleteIfExists(etc.resolve(f));
      }
      Files.deleteIfExists(etc);
    } catch (IOException ignored) {
      // left for the next run's clean-up
    }
  }

  /** The command prefix that runs a program inside host {@code host}'s namespace. */
  public List<String> exec(int host) {
    return List.of("ip", "netns", "exec", namespace(host));
  }

  /** Cuts (false) or restores (true) host {@code host}'s only link. */
  public void link(int host, boolean up) {
    must("ip", "link", "set", outside(host), up ? "up" : "down");
    if (up) {
      // the root side's connected route comes back with the link; the namespace's default route may not
      run("ip", "-n", namespace(host), "route", "replace", "default", "via", "10.77." + host + ".1");
    }
  }

  /** Caps both directions of host {@code host}'s link at {@code bytesPerSecond} (tbf); 0 removes the cap. */
  public void bandwidth(int host, long bytesPerSecond) {
    String ns = namespace(host);
    if (bytesPerSecond <= 0) {
      run("tc", "qdisc", "del", "dev", outside(host), "root");
      run("ip", "netns", "exec", ns, "tc", "qdisc", "del", "dev", "eth0", "root");
      return;
    }
    String rate = bytesPerSecond * 8 + "bit";
    // burst of at least one full-size packet per timer tick; queue up to 200 ms of traffic before dropping
    String burst = Math.max(16 * 1024, bytesPerSecond / 100) + "b";
    must("tc", "qdisc", "replace", "dev", outside(host), "root", "tbf", "rate", rate, "burst", burst, "latency",
        "200ms");
    must("ip", "netns", "exec", ns, "tc", "qdisc", "replace", "dev", "eth0", "root", "tbf", "rate", rate, "burst",
        burst, "latency", "200ms");
  }

  @Override
  public void close() {
    for (int h : hosts) {
      run("ip", "netns", "del", namespace(h));
      deleteEtc(namespace(h));
    }
    hosts.clear();
    run("ip", "link", "del", ANCHOR);
    if (forwardingBefore != null) {
      run("sysctl", "-q", "-w", "net.ipv4.ip_forward=" + forwardingBefore);
    }
    try {
      lock.release();
      lockFile.close();
    } catch (IOException ignored) {
      // the lock goes with the process anyway
    }
  }

  record Result(int exitCode, String output) {
    boolean ok() {
      return exitCode == 0;
    }
  }

  static Result run(String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Result(-1, String.join(" ", cmd) + " did not finish within 30 s");
      }
      return new Result(p.exitValue(), out);
    } catch (IOException e) {
      return new Result(-1, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(-1, "interrupted");
    }
  }

  static void must(String... cmd) {
    Result r = run(cmd);
    if (!r.ok()) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed (" + r.exitCode() + "): " + r.output().strip());
    }
  }
}
