package io.ferry.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test harness: a Ferry cluster as separate processes (ZooKeeper, scheduler replicas, sim agents), plain text
 * on loopback, with the means to kill, pause and restart any of them.
 */
final class ClusterProcesses implements AutoCloseable {
  static final Duration SESSION = Duration.ofSeconds(4);
  private static final Pattern METRICS = Pattern.compile("metrics=([0-9.]+:\\d+)");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final String cluster;
  final int zkPort;
  private FerryProcess zk;
  final Map<String, FerryProcess> schedulers = new LinkedHashMap<>();
  final Map<String, String> metrics = new LinkedHashMap<>();
  final Map<String, FerryProcess> agents = new LinkedHashMap<>();
  private final List<FerryProcess> dead = new ArrayList<>();

  ClusterProcesses(Path dir, String cluster) throws IOException {
    this.dir = dir;
    this.cluster = cluster;
    this.zkPort = freePort();
  }

  static int freePort() {
    return StablePorts.free();
  }

  String zkAddress() {
    return "127.0.0.1:" + zkPort;
  }

  void startZk() throws Exception {
    zk = FerryProcess.start(Map.of(), "zk", "--port", Integer.toString(zkPort), "--data", dir.resolve("zk").toString());
    zk.awaitLine(l -> l.startsWith("zk="), Duration.ofSeconds(60));
  }

  void killZk() throws InterruptedException {
    zk.process().destroyForcibly().waitFor();
    dead.add(zk);
  }

  void startScheduler(String name) throws Exception {
    FerryProcess p = FerryProcess.start(Map.of(), "scheduler", "--zk", zkAddress(), "--cluster", cluster,
        "--name", name, "--admin-port", "0", "--metrics-port", "0", "--insecure",
        "--ticket-keys", keys().toString(), "--session-timeout", SESSION.toSeconds() + "s");
    String line = p.awaitLine(l -> l.startsWith("scheduler " + name + " admin="), Duration.ofSeconds(60));
    Matcher m = METRICS.matcher(line);
    m.find();
    metrics.put(name, m.group(1));
    schedulers.put(name, p);
  }

  /** Ticket keys for every process (made once with 'ferry certs init'; traffic stays plain text). */
  Path keys() throws Exception {
    Path keys = dir.resolve("keys");
    if (!java.nio.file.Files.exists(keys.resolve("ticket-signing.key"))) {
      FerryProcess.Result r = FerryProcess.run(Map.of(), Duration.ofSeconds(60), "certs", "init", "--out",
          keys.toString());
      if (r.exitCode() != 0) {
        throw new AssertionError("ferry certs init failed: " + r.err());
      }
    }
    return keys;
  }

  Path agentState(String name) {
    return dir.resolve("agent-" + name);
  }

  void startAgent(String name) throws Exception {
    startAgent(name, 0);
  }

  void startAgent(String name, int simVms) throws Exception {
    FerryProcess p = FerryProcess.start(Map.of(), "agent", "--zk", zkAddress(), "--cluster", cluster,
        "--name", name, "--hypervisor", "sim", "--port", "0", "--metrics-port", "0", "--insecure",
        "--ticket-keys", keys().toString(), "--state-dir", agentState(name).toString(),
        "--sim-vms", Integer.toString(simVms),
        "--report-interval", "500ms", "--session-timeout", SESSION.toSeconds() + "s");
    String line = p.awaitLine(l -> l.startsWith("agent " + name + " admin="), Duration.ofSeconds(60));
    Matcher m = METRICS.matcher(line);
    m.find();
    metrics.put(name, m.group(1));
    agents.put(name, p);
  }

  void kill9(String scheduler) throws InterruptedException {
    FerryProcess p = schedulers.remove(scheduler);
    p.process().destroyForcibly().waitFor();
    dead.add(p);
  }

  void signal(String scheduler, String sig) throws Exception {
    long pid = schedulers.get(scheduler).process().pid();
    new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).start().waitFor();
  }

  /** `ferry status --format json` against the cluster, or null while it fails. */
  JsonNode status() throws Exception {
    FerryProcess.Result r = FerryProcess.run(Map.of(), Duration.ofSeconds(60), "status", "--zk", zkAddress(),
        "--cluster", cluster, "--insecure", "--format", "json");
    return r.exitCode() == 0 ? JSON.readTree(r.out()) : null;
  }

  FerryProcess.Result ferry(String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--zk", zkAddress(), "--cluster", cluster, "--insecure"));
    return FerryProcess.run(Map.of(), Duration.ofSeconds(60), all.toArray(String[]::new));
  }

  /** The value of an unlabelled-by-us gauge in a process' /metrics, or NaN when unreachable. */
  double metric(String process, String name) {
    try {
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://" + metrics.get(process) + "/metrics")).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.ofString());
      for (String line : r.body().split("\n")) {
        if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
          return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
      return Double.NaN;
    } catch (IOException | InterruptedException | RuntimeException e) {
      return Double.NaN;
    }
  }

  static Duration await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
    Instant start = Instant.now();
    while (!condition.getAsBoolean()) {
      if (Duration.between(start, Instant.now()).compareTo(timeout) > 0) {
        throw new AssertionError("timed out after " + timeout + " waiting until " + what);
      }
      Thread.sleep(100);
    }
    return Duration.between(start, Instant.now());
  }

  @Override
  public void close() {
    agents.values().forEach(FerryProcess::close);
    schedulers.values().forEach(FerryProcess::close);
    if (zk != null) {
      zk.close();
    }
    dead.forEach(FerryProcess::close);
  }
}
