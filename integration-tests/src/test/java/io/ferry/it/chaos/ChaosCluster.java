package io.ferry.it.chaos;

import io.ferry.common.grpc.GrpcServers;
import io.ferry.common.tls.TlsMaterial;
import io.ferry.it.FerryProcess;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Test harness: a Ferry cluster of separate processes — a 3-member ZooKeeper ensemble, schedulers and sim agents,
 * with mutual TLS — and the means to break it. Every agent sits in its own network namespace when the machine
 * allows it (loopback otherwise); every scheduler's and agent's ZooKeeper connections and every agent's inbound
 * traffic (scheduler commands and control calls to its gRPC port, migration streams to its data channel) pass a
 * {@link FaultProxy}. Killed processes restart with the
 * same ports and state directory, as after a crash on a real host.
 */
public final class ChaosCluster implements AutoCloseable {
  public enum Network { NAMESPACES, LOOPBACK }

  public static final Duration SESSION = Duration.ofSeconds(4);
  public static final String CLUSTER = "chaos";
  static final int MAX_AGENTS = 8;
  /**
   * Small, quick JVMs (twelve of them share two cores), each marked with the test JVM's pid so that a later run can
   * find the processes of a run whose JVM was killed before it could stop them.
   */
  static final List<String> JVM = List.of("-Xmx192m", "-Xss512k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
      "-XX:CICompilerCount=1", "-Xshare:auto", "-Dferry.chaos.run=" + ProcessHandle.current().pid());
  static final String RUN_MARKER = "-Dferry.chaos.run=";

  private final Path dir;
  private final Path logs;
  final Network network;
  final String why;
  private final NetNamespaces net;
  final String rootHost;
  final ZkEnsembleProcesses zk;
  final Path certs;
  final TlsMaterial tls;
  private final Path policy;
  final Map<String, Node> schedulers = new LinkedHashMap<>();
  final Map<String, Node> agents = new LinkedHashMap<>();
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

  /** One scheduler or agent: its ports, proxies, state and current process (null while dead). */
  final class Node {
    final String name;
    final int index;
    final boolean agent;
    final int simVms;
    final List<FaultProxy> zkProxies = new ArrayList<>();
    /** Scheduler commands and control calls to the agent's gRPC port. */
    final FaultProxy inbound;
    /** Migration streams to the agent's data channel. */
    final FaultProxy dataInbound;
    final int port;
    final int dataPort;
    final int metricsPort;
    final String bindHost;
    volatile FerryProcess process;

    Node(String name, int index, boolean agent, int simVms) throws IOException {
      this.name = name;
      this.index = index;
      this.agent = agent;
      this.simVms = simVms;
      this.bindHost = agent && net != null ? NetNamespaces.address(index) : rootHost;
      this.port = agent && net != null ? 7500 : freePort(rootHost);
      this.metricsPort = agent && net != null ? 9500 : freePort(rootHost);
      this.dataPort = !agent ? 0 : net != null ? 7600 : freePort(rootHost);
      for (int i = 1; i <= zk.size(); i++) {
        zkProxies.add(new FaultProxy(rootHost, zk.host(), zk.clientPort(i)));
      }
      this.inbound = agent ? new FaultProxy(rootHost, bindHost, port) : null;
      this.dataInbound = agent ? new FaultProxy(rootHost, bindHost, dataPort) : null;
    }

    /** An agent's inbound links: its gRPC port's and its data channel's proxies. */
    List<FaultProxy> inboundLinks() {
      return inbound == null ? List.of() : List.of(inbound, dataInbound);
    }

    /** Cuts every open connection into the agent (control calls and migration streams); how many were open. */
    int cutInbound() {
      return inboundLinks().stream().mapToInt(FaultProxy::cutAll).sum();
    }

    /** Where the rest of the cluster reaches it (an agent: through its inbound proxy). */
    String endpoint() {
      return agent ? inbound.address() : rootHost + ":" + port;
    }

    /** Where the test reaches it without any proxy. */
    String directEndpoint() {
      return bindHost + ":" + port;
    }

    String metricsAddress() {
      return bindHost + ":" + metricsPort;
    }

    Path stateDir() {
      return dir.resolve("state-" + name);
    }

    Path failpoints() {
      return dir.resolve("failpoints-" + name);
    }

    Path log() {
      return logs.resolve(name + ".log");
    }

    boolean alive() {
      FerryProcess p = process;
      return p != null && p.process().isAlive();
    }

    String zkConnect() {
      return zkProxies.stream().map(FaultProxy::address).collect(Collectors.joining(","));
    }

    /** Every proxy on this node's links: ZooKeeper, and for agents the inbound ones. */
    List<FaultProxy> proxies() {
      List<FaultProxy> all = new ArrayList<>(zkProxies);
      all.addAll(inboundLinks());
      return all;
    }
  }

  private ChaosCluster(Path dir, Path logs, Network network, String why, NetNamespaces net, Path policy)
      throws Exception {
    this.dir = dir;
    this.logs = logs;
    this.network = network;
    this.why = why;
    this.net = net;
    this.policy = policy;
    this.rootHost = net != null ? NetNamespaces.ROOT_ADDRESS : "127.0.0.1";
    Files.createDirectories(logs);
    this.zk = new ZkEnsembleProcesses(dir, logs, rootHost, 3, JVM);
    this.certs = dir.resolve("certs");
    List<String> args = new ArrayList<>(List.of("certs", "init", "--out", certs.toString(), "--cluster", CLUSTER,
        "--san", NetNamespaces.ROOT_ADDRESS));
    for (int h = 1; h <= MAX_AGENTS; h++) {
      args.addAll(List.of("--san", NetNamespaces.address(h))); // the test reaches agents directly too
    }
    FerryProcess.Result r = FerryProcess.run(Map.of(), Duration.ofSeconds(60), args.toArray(String[]::new));
    if (r.exitCode() != 0) {
      throw new IllegalStateException("ferry certs init failed: " + r.err());
    }
    this.tls = TlsMaterial.fromDirectory(certs);
  }

  /**
   * A cluster with its state (sim VM RAM included) in {@code dir} and the processes' logs in {@code logs}:
   * namespaces when allowed and not turned off with {@code -Dferry.chaos.network=loopback}, loopback otherwise.
   * Nothing runs yet.
   */
  static ChaosCluster create(Path dir, Path logs, Path policy) throws Exception {
    killOrphans();
    String why = "loopback".equals(System.getProperty("ferry.chaos.network")) ? "-Dferry.chaos.network=loopback"
        : NetNamespaces.unavailableBecause();
    NetNamespaces net = why == null ? NetNamespaces.create() : null;
    try {
      return new ChaosCluster(dir, logs, net != null ? Network.NAMESPACES : Network.LOOPBACK, why, net, policy);
    } catch (Exception | Error e) {
      if (net != null) {
        net.close();
      }
      throw e;
    }
  }

  /** Kills the processes of earlier runs whose test JVM is gone (they carry its pid in {@link #RUN_MARKER}). */
  static void killOrphans() {
    ProcessHandle.allProcesses().forEach(p -> {
      String cmd = p.info().commandLine().orElse("");
      int at = cmd.indexOf(RUN_MARKER);
      if (at < 0) {
        return;
      }
      String pid = cmd.substring(at + RUN_MARKER.length()).split("\\s", 2)[0];
      if (pid.matches("\\d+") && ProcessHandle.of(Long.parseLong(pid)).isEmpty()) {
        p.destroyForcibly();
      }
    });
  }

  static int freePort(String host) {
    return io.ferry.it.StablePorts.free(host);
  }

  void addScheduler(String name) throws IOException {
    schedulers.put(name, new Node(name, schedulers.size() + 1, false, 0));
  }

  void addAgent(String name, int simVms) throws IOException {
    int index = agents.size() + 1;
    if (net != null) {
      net.addHost(index);
    }
    agents.put(name, new Node(name, index, true, simVms));
  }

  Node node(String name) {
    Node n = schedulers.containsKey(name) ? schedulers.get(name) : agents.get(name);
    if (n == null) {
      throw new IllegalArgumentException("no process " + name);
    }
    return n;
  }

  void start(Node n) throws Exception {
    List<String> args = new ArrayList<>();
    List<String> wrapper = List.of();
    Map<String, String> env = Map.of();
    String ready;
    if (n.agent) {
      args.addAll(List.of("agent", "--hypervisor", "sim", "--port", Integer.toString(n.port), "--metrics-port",
          Integer.toString(n.metricsPort), "--advertise", n.endpoint(), "--state-dir", n.stateDir().toString(),
          "--sim-vms", Integer.toString(n.simVms), "--report-interval", "500ms", "--sim-tick", "5ms",
          "--migration-data-listen", n.bindHost + ":" + n.dataPort, "--migration-data-advertise",
          n.dataInbound.address()));
      wrapper = net != null ? net.exec(n.index) : List.of();
      env = Map.of(io.ferry.common.faults.Failpoints.FILE_ENV, n.failpoints().toString());
      ready = "agent " + n.name + " admin=";
    } else {
      args.addAll(List.of("scheduler", "--admin-port", Integer.toString(n.port), "--metrics-port",
          Integer.toString(n.metricsPort), "--policy", policy.toString()));
      ready = "scheduler " + n.name + " admin=";
    }
    args.addAll(List.of("--name", n.name, "--zk", n.zkConnect(), "--cluster", CLUSTER, "--bind", n.bindHost,
        "--certs", certs.toString(), "--session-timeout", SESSION.toSeconds() + "s"));
    FerryProcess p = FerryProcess.start(wrapper, JVM, env, n.log(), args.toArray(String[]::new));
    n.process = p;
    p.awaitLine(l -> l.startsWith(ready), Duration.ofSeconds(90));
  }

  /** kill -9; the node stays dead until {@link #start}. */
  void kill9(Node n) throws InterruptedException {
    FerryProcess p = n.process;
    if (p != null) {
      p.process().destroyForcibly().waitFor();
      n.process = null;
    }
  }

  void signal(Node n, String sig) throws Exception {
    new ProcessBuilder("kill", "-" + sig, Long.toString(n.process.process().pid())).start().waitFor();
  }

  /** Cuts (or restores) every link of agent {@code n}: its namespace's link, or its proxies on loopback. */
  void partition(Node n, boolean cut) {
    if (net != null) {
      net.link(n.index, !cut);
    } else {
      for (FaultProxy p : n.proxies()) {
        p.blackhole(cut);
        if (cut) {
          p.cutAll();
        }
      }
    }
  }

  /** Caps both directions of agent {@code n}'s link (tbf in namespaces, its inbound proxy on loopback); 0: none. */
  void bandwidth(Node n, long bytesPerSecond) {
    if (net != null) {
      net.bandwidth(n.index, bytesPerSecond);
    } else {
      n.inboundLinks().forEach(p -> p.bandwidth(bytesPerSecond));
    }
  }

  /** The proxy on the scheduler or agent {@code n}'s ZooKeeper links. */
  List<FaultProxy> zkLinks(Node n) {
    return n.zkProxies;
  }

  /** A shared mTLS channel to {@code endpoint}. */
  ManagedChannel channel(String endpoint) {
    return channels.computeIfAbsent(endpoint, e -> GrpcServers.channel(e, tls));
  }

  Path dir() {
    return dir;
  }

  String networkDescription() {
    return network == Network.NAMESPACES
        ? "network namespaces (one per agent, veth to the root namespace, tbf for caps) + fault proxies"
        : "loopback + fault proxies (namespaces not used: " + why + ")";
  }

  @Override
  public void close() {
    channels.values().forEach(GrpcServers::shutdown);
    List<Node> all = new ArrayList<>(agents.values());
    all.addAll(schedulers.values());
    for (Node n : all) {
      try {
        kill9(n);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    zk.close();
    for (Node n : List.copyOf(schedulers.values())) {
      n.proxies().forEach(FaultProxy::close);
    }
    for (Node n : List.copyOf(agents.values())) {
      n.proxies().forEach(FaultProxy::close);
    }
    if (net != null) {
      net.close();
    }
  }
}
