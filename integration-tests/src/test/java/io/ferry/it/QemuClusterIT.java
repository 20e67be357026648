package io.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ferry.common.testing.CiTools;
import io.ferry.hostagent.hypervisor.VmEvent;
import io.ferry.hostagent.hypervisor.VmEventLog;
import io.ferry.hostagent.qemu.guest.MemoryConsistency;
import io.ferry.hostagent.qemu.guest.TestGuest;
import io.ferry.hostagent.qemu.qmp.QmpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real QEMU VMs managed and migrated by a Ferry cluster of separate processes: ZooKeeper, a scheduler and two qemu
 * agents (each its own JVM), mutual TLS between them and TLS on QEMU's streams, driven only through the `ferry`
 * CLI as an operator would. The guest is Ferry's test guest (it writes every page of its memory in a loop and
 * prints a marker on its serial port after every pass), on TCG.
 */
class QemuClusterIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Duration SESSION = Duration.ofSeconds(4);

  @TempDir Path dir;
  final Map<String, FerryProcess> processes = new LinkedHashMap<>();
  final List<FerryProcess> dead = new ArrayList<>();
  int zkPort;

  @AfterEach
  void stopEverything() throws Exception {
    processes.values().forEach(FerryProcess::close);
    dead.forEach(FerryProcess::close);
    // QEMU is daemonized and outlives its agent by design: kill what this test started
    new ProcessBuilder("pkill", "-9", "-f", dir.toString()).start().waitFor(10, TimeUnit.SECONDS);
  }

  @Test
  void vmsStartMigrateAndSurviveAnAgentRestartThroughTheCluster() throws Exception {
    CiTools.require("qemu-system-x86_64");
    startCluster();
    Path spec = writeSpec("vm1", List.of());

    FerryProcess.Result started = ferry("vm", "start", "--host", "a", "--spec", spec.toString());
    assertEquals(0, started.exitCode(), started.err());
    awaitVm("vm1", "a");
    assertEquals("tcg", vmEntry("vm1").path("accelerator").asText(), "the VM reports what runs it");
    Path logA = serialLog("a", "vm1");
    awaitMarkers(logA, 0, 2);

    // pre-copy a -> b
    long pidA = pid("a", "vm1");
    migrate("vm1", "b", "--strategy", "pre-copy");
    assertMovedAndRunning("vm1", pidA, "b");

    // post-copy b -> a
    long pidB = pid("b", "vm1");
    migrate("vm1", "a", "--strategy", "post-copy", "--allow-post-copy");
    assertMovedAndRunning("vm1", pidB, "a");

    // auto with storage a -> b: the destination gets its own copy of the disk
    pidA = pid("a", "vm1");
    migrate("vm1", "b", "--strategy", "auto", "--with-storage");
    assertMovedAndRunning("vm1", pidA, "b");
    JsonNode specOnB = JSON.readTree(Files.readString(agentState("b").resolve("vms/vm1/spec.json")));
    assertTrue(specOnB.path("disks").get(0).path("path").asText().startsWith(agentState("b").resolve("disks")
        .toString()), "disk copied into b's state directory: " + specOnB);

    // kill -9 of agent b: the VM keeps running; the restarted agent adopts the same QEMU. This time b says its CPU
    // lacks avx512f, so a VM that needs it cannot come to b.
    pidB = pid("b", "vm1");
    FerryProcess b = processes.remove("agent-b");
    b.process().destroyForcibly().waitFor();
    dead.add(b);
    long markers = countMarkers(serialLog("b", "vm1"));
    awaitMarkers(serialLog("b", "vm1"), markers, 1);
    Path oldCpu = dir.resolve("cpuinfo-without-avx512");
    Files.writeString(oldCpu, "processor\t: 0\nmodel name\t: Old CPU\nflags\t\t: fpu sse sse2\n");
    startAgent("b", "--cpuinfo", oldCpu.toString());
    awaitVm("vm1", "b");
    assertEquals(pidB, pid("b", "vm1"), "the restarted agent adopted the running QEMU, it did not restart it");
    markers = countMarkers(serialLog("b", "vm1"));
    awaitMarkers(serialLog("b", "vm1"), markers, 2);

    Path spec2 = writeSpec("vm2", List.of("sse2", "avx512f"));
    assertEquals(0, ferry("vm", "start", "--host", "a", "--spec", spec2.toString()).exitCode());
    awaitVm("vm2", "a");
    FerryProcess.Result refused = ferry("migrate", "vm2", "--to", "b", "--strategy", "pre-copy");
    assertEquals(0, refused.exitCode(), refused.err());
    String why = awaitFinished("vm2");
    assertTrue(why.contains("avx512f") && !why.contains("sse2,"), "refusal names the missing feature: " + why);
    assertEquals("a", hostOf("vm2"), "vm2 stays where it was");

    // nothing ever ran on two hosts at once, by the agents' own logs (QEMU's STOP/RESUME timestamps)
    List<VmEvent> events = new ArrayList<>(VmEventLog.read(agentState("a").resolve("vm-events.log")));
    events.addAll(VmEventLog.read(agentState("b").resolve("vm-events.log")));
    assertTrue(events.stream().filter(e -> e.vm().equals("vm1")).count() >= 6, "events recorded: " + events);
    assertEquals("", VmEventLog.findOverlap(events));

    // stop: the QEMU goes away and the VM leaves the inventory
    long pid1 = pid("b", "vm1");
    FerryProcess.Result stopped = ferry("vm", "stop", "vm1");
    assertEquals(0, stopped.exitCode(), stopped.err());
    ClusterProcesses.await("vm1 is gone", Duration.ofSeconds(30), () -> ProcessHandle.of(pid1).isEmpty()
        && hostOfQuietly("vm1") == null);
  }

  // ---- the cluster ----

  void startCluster() throws Exception {
    FerryProcess.Result certs = FerryProcess.run(Map.of(), Duration.ofSeconds(60), "certs", "init", "--out",
        certs().toString());
    assertEquals(0, certs.exitCode(), certs.err());
    zkPort = ClusterProcesses.freePort();
    FerryProcess zk = FerryProcess.start(Map.of(), "zk", "--port", Integer.toString(zkPort), "--data",
        dir.resolve("zk").toString());
    zk.awaitLine(l -> l.startsWith("zk="), Duration.ofSeconds(60));
    processes.put("zk", zk);
    Path policy = dir.resolve("quiet.yaml");
    // the test moves VMs itself: the planner stays still
    Files.writeString(policy, """
        apiVersion: ferry.io/v1
        kind: SchedulingPolicy
        metadata: {name: quiet}
        spec:
          balance: {enabled: false}
          consolidation: {enabled: false}
          failureAvoidance: {enabled: false}
          migration: {maxDowntime: 300ms}
        """);
    FerryProcess s = FerryProcess.start(Map.of(), "scheduler", "--zk", zk(), "--cluster", "qemu-it", "--name", "s1",
        "--admin-port", "0", "--metrics-port", "0", "--certs", certs().toString(), "--policy", policy.toString(),
        "--session-timeout", SESSION.toSeconds() + "s");
    s.awaitLine(l -> l.startsWith("scheduler s1 admin="), Duration.ofSeconds(60));
    processes.put("scheduler", s);
    startAgent("a");
    startAgent("b");
  }

  void startAgent(String name, String... extra) throws Exception {
    List<String> args = new ArrayList<>(List.of("agent", "--zk", zk(), "--cluster", "qemu-it", "--name", name,
        "--hypervisor", "qemu", "--port", "0", "--metrics-port", "0", "--certs", certs().toString(),
        "--advertise", "127.0.0.1", "--state-dir", agentState(name).toString(), "--report-interval", "500ms",
        "--session-timeout", SESSION.toSeconds() + "s"));
    args.addAll(List.of(extra));
    FerryProcess p = FerryProcess.start(Map.of(), args.toArray(String[]::new));
    p.awaitLine(l -> l.startsWith("agent " + name + " admin="), Duration.ofSeconds(60));
    processes.put("agent-" + name, p);
  }

  String zk() {
    return "127.0.0.1:" + zkPort;
  }

  Path certs() {
    return dir.resolve("certs");
  }

  Path agentState(String name) {
    return dir.resolve("agent-" + name);
  }

  FerryProcess.Result ferry(String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--zk", zk(), "--cluster", "qemu-it", "--certs", certs().toString()));
    return FerryProcess.run(Map.of(), Duration.ofSeconds(60), all.toArray(String[]::new));
  }

  Path writeSpec(String name, List<String> cpuFeatures) throws Exception {
    Path image = dir.resolve(name + ".img");
    TestGuest.forMemory(48, 30_000_000L).writeImage(image);
    Path spec = dir.resolve(name + ".yaml");
    Files.writeString(spec, "name: " + name + "\nvcpus: 1\nmemoryMiB: 48\naccelerator: tcg\n"
        + (cpuFeatures.isEmpty() ? "" : "cpuFeatures: [" + String.join(", ", cpuFeatures) + "]\n")
        + "disks:\n  - path: " + image + "\n    format: raw\n");
    return spec;
  }

  // ---- what an operator sees ----

  void migrate(String vm, String to, String... flags) throws Exception {
    List<String> args = new ArrayList<>(List.of("migrate", vm, "--to", to));
    args.addAll(List.of(flags));
    FerryProcess.Result r = ferry(args.toArray(String[]::new));
    assertEquals(0, r.exitCode(), r.err());
    String outcome = awaitFinished(vm);
    assertTrue(outcome.contains("COMMITTED"), vm + " -> " + to + " " + List.of(flags) + ": " + outcome);
  }

  /** Waits until no migration of {@code vm} is in flight; returns the latest one's line of `ferry migrate --list`. */
  String awaitFinished(String vm) throws Exception {
    String[] last = {""};
    ClusterProcesses.await("the migration of " + vm + " ends", Duration.ofSeconds(120), () -> {
      try {
        FerryProcess.Result r = ferry("migrate", "--list", "--all");
        List<String> lines = r.out().lines().filter(l -> l.contains(" " + vm + " ")).toList();
        if (lines.isEmpty()) {
          return false;
        }
        last[0] = lines.get(0);
        return lines.stream().noneMatch(l -> l.matches(".* (PLANNED|PREPARED|TRANSFERRING|SWITCHOVER) .*"));
      } catch (Exception e) {
        return false;
      }
    });
    return last[0];
  }

  void assertMovedAndRunning(String vm, long oldPid, String host) throws Exception {
    awaitVm(vm, host);
    ClusterProcesses.await("the source QEMU (pid " + oldPid + ") exits", Duration.ofSeconds(20),
        () -> ProcessHandle.of(oldPid).isEmpty());
    Path log = serialLog(host, vm);
    long before = countMarkers(log);
    awaitMarkers(log, before, 1);
    MemoryConsistency.Report memory = destinationMemory(host, vm);
    assertTrue(memory.consistent(), vm + " on " + host + ": " + memory);
  }

  /** Dumps the test range through the VM's operator monitor (the agent holds the other) and checks it. */
  MemoryConsistency.Report destinationMemory(String host, String vm) throws Exception {
    TestGuest guest = TestGuest.forMemory(48, 30_000_000L);
    Path dump = dir.resolve("dump-" + host + "-" + System.nanoTime() + ".bin");
    Duration t = Duration.ofSeconds(10);
    try (QmpClient qmp = QmpClient.connect(agentState(host).resolve("vms/" + vm + "/qmp-operator.sock"), t,
        java.time.Clock.systemUTC())) {
      qmp.execute("stop", t);
      try {
        qmp.execute("pmemsave", Map.of("val", guest.startBytes(), "size", guest.endBytes() - guest.startBytes(),
            "filename", dump.toString()), t);
      } finally {
        qmp.execute("cont", t);
      }
    }
    return MemoryConsistency.check(dump, guest.startBytes());
  }

  void awaitVm(String vm, String host) throws Exception {
    ClusterProcesses.await(vm + " runs on " + host, Duration.ofSeconds(60),
        () -> host.equals(hostOfQuietly(vm)) && "VM_RUNNING".equals(stateOfQuietly(vm)));
  }

  String hostOf(String vm) throws Exception {
    JsonNode v = vmEntry(vm);
    return v == null ? null : v.path("host").asText();
  }

  String hostOfQuietly(String vm) {
    try {
      return hostOf(vm);
    } catch (Exception e) {
      return "?";
    }
  }

  String stateOfQuietly(String vm) {
    try {
      JsonNode v = vmEntry(vm);
      return v == null ? null : v.path("state").asText();
    } catch (Exception e) {
      return "?";
    }
  }

  JsonNode vmEntry(String vm) throws Exception {
    FerryProcess.Result r = ferry("vm", "list", "--format", "json");
    if (r.exitCode() != 0) {
      throw new IllegalStateException(r.err());
    }
    // during a post-copy both copies are listed (the source's paused): the running one is the VM
    JsonNode found = null;
    for (JsonNode v : JSON.readTree(r.out()).path("vms")) {
      if (vm.equals(v.path("name").asText()) && (found == null || "VM_RUNNING".equals(v.path("state").asText()))) {
        found = v;
      }
    }
    return found;
  }

  long pid(String host, String vm) throws Exception {
    return Long.parseLong(Files.readString(agentState(host).resolve("vms/" + vm + "/qemu.pid")).trim());
  }

  Path serialLog(String host, String vm) {
    return agentState(host).resolve("vms/" + vm + "/serial.log");
  }

  static long countMarkers(Path log) throws Exception {
    if (!Files.exists(log)) {
      return 0;
    }
    long n = 0;
    for (byte c : Files.readAllBytes(log)) {
      if (c == TestGuest.MARKER) {
        n++;
      }
    }
    return n;
  }

  static void awaitMarkers(Path log, long after, long more) throws Exception {
    ClusterProcesses.await(more + " new markers on " + log, Duration.ofSeconds(60), () -> {
      try {
        return countMarkers(log) >= after + more;
      } catch (Exception e) {
        return false;
      }
    });
  }
}
