package io.ferry.hostagent.migration.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Test side of an {@link AgentProcess}: starts it in its own JVM, reads its status files, kills it. */
final class ChildAgent implements AutoCloseable {
  final String name;
  final Path work;
  final Path events;
  private final Process process;
  final String endpoint;

  /** One VM line of the child's status file. */
  record VmLine(String name, String state, long counter, String digest) {}

  private ChildAgent(String name, Path work, Path events, Process process, String endpoint) {
    this.name = name;
    this.work = work;
    this.events = events;
    this.process = process;
    this.endpoint = endpoint;
  }

  static ChildAgent start(String name, Path certs, Path work, Path ticketKey, Path events, long idleTimeoutMillis)
      throws IOException, InterruptedException {
    Files.createDirectories(work);
    Files.deleteIfExists(work.resolve("endpoint"));
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-cp", cp, AgentProcess.class.getName(), name, certs.toString(), work.toString(),
        ticketKey.toString(), events.toString(), Long.toString(idleTimeoutMillis)));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("log").toFile())).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!Files.exists(work.resolve("endpoint"))) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        p.destroyForcibly();
        throw new IllegalStateException("agent process " + name + " did not start: "
            + Files.readString(work.resolve("log")));
      }
      Thread.sleep(20);
    }
    return new ChildAgent(name, work, events, p, Files.readString(work.resolve("endpoint")).trim());
  }

  Optional<VmLine> vm(String vm) throws IOException {
    Path status = work.resolve("status");
    if (!Files.exists(status)) {
      return Optional.empty();
    }
    return Files.readAllLines(status).stream().map(l -> l.split(" ")).filter(f -> f.length == 4 && f[0].equals(vm))
        .map(f -> new VmLine(f[0], f[1], Long.parseLong(f[2]), f[3])).findFirst();
  }

  String cleaned() throws IOException {
    return Files.readString(work.resolve("cleaned"));
  }

  /** kill -9. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
