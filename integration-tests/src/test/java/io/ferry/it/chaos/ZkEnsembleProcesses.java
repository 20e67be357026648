package io.ferry.it.chaos;

import io.ferry.it.FerryProcess;
import io.ferry.it.StablePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/** Test harness: a ZooKeeper ensemble as separate {@code ferry zk --id N --ensemble ...} processes. */
public final class ZkEnsembleProcesses implements AutoCloseable {
  private final Path dir;
  private final Path logs;
  private final String host;
  private final List<int[]> ports = new ArrayList<>();
  private final FerryProcess[] members;
  private final List<String> jvmOptions;

  /** {@code size} members on {@code host}, each with three free ports (quorum, election, client). */
  public ZkEnsembleProcesses(Path dir, String host, int size, List<String> jvmOptions) throws Exception {
    this(dir, dir, host, size, jvmOptions);
  }

  /** With the members' logs in {@code logs}. */
  public ZkEnsembleProcesses(Path dir, Path logs, String host, int size, List<String> jvmOptions) throws Exception {
    this.dir = dir;
    this.logs = logs;
    this.host = host;
    this.jvmOptions = jvmOptions;
    this.members = new FerryProcess[size];
    for (int i = 0; i < size; i++) {
      ports.add(new int[] {StablePorts.free(host), StablePorts.free(host), StablePorts.free(host)});
    }
  }

  public int size() {
    return members.length;
  }

  public String ensembleSpec() {
    StringJoiner j = new StringJoiner(",");
    for (int[] p : ports) {
      j.add(host + ":" + p[0] + ":" + p[1] + ":" + p[2]);
    }
    return j.toString();
  }

  /** Every member's client address, as clients connect. */
  public String connectString() {
    StringJoiner j = new StringJoiner(",");
    for (int[] p : ports) {
      j.add(host + ":" + p[2]);
    }
    return j.toString();
  }

  public int clientPort(int id) {
    return ports.get(id - 1)[2];
  }

  public String host() {
    return host;
  }

  /** Starts member {@code id} (1-based) and waits until its client port is open (not for a quorum). */
  public void start(int id) throws Exception {
    Path data = dir.resolve("zk" + id);
    Files.createDirectories(data);
    FerryProcess p = FerryProcess.start(List.of(), jvmOptions, Map.of(), logs.resolve("zk" + id + ".log"), "zk",
        "--id", Integer.toString(id), "--ensemble", ensembleSpec(), "--data", data.toString(), "--tick", "500");
    members[id - 1] = p;
    p.awaitLine(l -> l.startsWith("zk="), Duration.ofSeconds(60));
  }

  public void startAll() throws Exception {
    for (int i = 1; i <= members.length; i++) {
      start(i);
    }
  }

  public boolean alive(int id) {
    return members[id - 1] != null && members[id - 1].process().isAlive();
  }

  /** kill -9 of member {@code id}. */
  public void kill9(int id) throws InterruptedException {
    FerryProcess p = members[id - 1];
    if (p != null) {
      p.process().destroyForcibly().waitFor();
      members[id - 1] = null;
    }
  }

  @Override
  public void close() {
    for (int i = 1; i <= members.length; i++) {
      try {
        kill9(i);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
