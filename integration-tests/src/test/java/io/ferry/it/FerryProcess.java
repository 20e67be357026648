package io.ferry.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Test harness: runs the real {@code ferry} jar as a separate process and collects what it prints. */
public final class FerryProcess implements AutoCloseable {
  private final Process process;
  private final List<String> out = new CopyOnWriteArrayList<>();
  private final List<String> err = new CopyOnWriteArrayList<>();
  private final List<Thread> pumps = new ArrayList<>();

  private FerryProcess(Process process) {
    this.process = process;
    pumps.add(pump(process.getInputStream(), out));
    pumps.add(pump(process.getErrorStream(), err));
  }

  public static Path jar() {
    return Path.of(System.getProperty("ferry.home", "..")).toAbsolutePath().normalize()
        .resolve("cli/target/ferry.jar");
  }

  public static FerryProcess start(Map<String, String> env, String... args) throws IOException {
    return start(List.of(), List.of(), env, null, args);
  }

  /**
   * Starts {@code ferry ARGS} under {@code wrapper} (e.g. {@code ip netns exec NS}, which execs, so the process is
   * the JVM itself) with extra JVM options; with {@code errLog} what it prints on stderr (its log) is appended to
   * that file instead of being kept in memory.
   */
  public static FerryProcess start(List<String> wrapper, List<String> jvmOptions, Map<String, String> env,
                                   Path errLog, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(wrapper);
    cmd.add(javaBin());
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-jar", jar().toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().putAll(env);
    if (errLog != null) {
      pb.redirectError(ProcessBuilder.Redirect.appendTo(errLog.toFile()));
    }
    return new FerryProcess(pb.start());
  }

  /** Runs to completion (at most {@code timeout}) and returns the exit code. */
  public static Result run(Map<String, String> env, Duration timeout, String... args) throws Exception {
    try (FerryProcess p = start(env, args)) {
      if (!p.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("ferry " + String.join(" ", args) + " did not finish within " + timeout);
      }
      p.drain();
      return new Result(p.process.exitValue(), String.join("\n", p.out), String.join("\n", p.err));
    }
  }

  public record Result(int exitCode, String out, String err) {}

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** Waits until everything the ended process printed has been read. */
  private void drain() throws InterruptedException {
    for (Thread t : pumps) {
      t.join(5_000);
    }
  }

  private static Thread pump(java.io.InputStream in, List<String> sink) {
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          sink.add(line);
        }
      } catch (IOException ignored) {
        // process ended
      }
    });
    t.setDaemon(true);
    t.start();
    return t;
  }

  public String awaitLine(Predicate<String> match, Duration timeout) throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      for (String line : out) {
        if (match.test(line)) {
          return line;
        }
      }
      if (!process.isAlive()) {
        throw new AssertionError("ferry exited with " + process.exitValue() + ": " + String.join("\n", err));
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no matching line within " + timeout + "; out: " + out + "; err: " + err);
  }

  public List<String> out() {
    return out;
  }

  public List<String> err() {
    return err;
  }

  public Process process() {
    return process;
  }

  /** SIGTERM, like Ctrl-C, and wait for a clean exit. */
  public int stop(Duration timeout) throws InterruptedException {
    // Process.destroy() would close our ends of the pipes first and lose what the process prints while stopping.
    process.toHandle().destroy();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("ferry did not stop within " + timeout + " after SIGTERM");
    }
    drain();
    return process.exitValue();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }
}
