package io.ferry.common.faults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Named points in the code where fault-injection tests hold a process (like etcd's gofail or FreeBSD's fail(9)), so
 * that a test can kill it at a precise step of a protocol. Inert unless the environment variable
 * {@value #FILE_ENV} names a file; that file, re-read whenever it changes, arms points one per line:
 *
 * <pre>
 *   # NAME                          SUBJECT (glob)   ACTION
 *   migration.source.commit         chaos-vm*        sleep 30000
 * </pre>
 *
 * <p>{@code sleep MS} holds the calling thread that long, or until the line is removed. Every hit of an armed point is logged and appended to
 * {@code FILE.hits} as {@code NAME SUBJECT PID}, for the test to wait on.
 */
public final class Failpoints {
  private static final Logger log = LoggerFactory.getLogger(Failpoints.class);
  public static final String FILE_ENV = "FERRY_FAILPOINTS_FILE";
  /** No file: every point is a no-op. */
  public static final Failpoints NONE = new Failpoints(null);

  private record Armed(String name, String glob, long sleepMillis) {
    boolean matches(String point, String subject) {
      PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + glob);
      return name.equals(point) && m.matches(Path.of(subject));
    }
  }

  private final Path file;
  private FileTime loadedAt;
  private List<Armed> armed = List.of();

  private Failpoints(Path file) {
    this.file = file;
  }

  /** The points armed by the file that {@value #FILE_ENV} names, or {@link #NONE}. */
  public static Failpoints fromEnvironment() {
    String f = System.getenv(FILE_ENV);
    if (f == null || f.isBlank()) {
      return NONE;
    }
    log.warn("failpoints armed from {} ({}): this process may hold on purpose; never set it in production", f,
        FILE_ENV);
    return fromFile(Path.of(f));
  }

  /** Points armed by {@code file} (which need not exist yet). */
  public static Failpoints fromFile(Path file) {
    return new Failpoints(file);
  }

  /** Passes point {@code name} for {@code subject} (a VM, a migration): holds here when a line arms it. */
  public void hit(String name, String subject) {
    if (file == null) {
      return;
    }
    for (Armed a : current()) {
      if (a.matches(name, subject)) {
        log.warn("failpoint {} reached for {}: holding {} ms or until disarmed", name, subject, a.sleepMillis());
        record(name, subject);
        hold(a);
        return;
      }
    }
  }

  /** Sleeps the armed time, in short steps, and lets go early once the file no longer arms the point. */
  private void hold(Armed a) {
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(a.sleepMillis());
    try {
      while (System.nanoTime() < until && current().contains(a)) {
        TimeUnit.MILLISECONDS.sleep(Math.min(50, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private synchronized List<Armed> current() {
    try {
      if (!Files.exists(file)) {
        armed = List.of();
        loadedAt = null;
        return armed;
      }
      FileTime t = Files.getLastModifiedTime(file);
      if (!t.equals(loadedAt)) {
        armed = parse(Files.readAllLines(file, StandardCharsets.UTF_8));
        loadedAt = t;
      }
    } catch (IOException e) {
      log.warn("cannot read failpoints from {}: {}", file, e.getMessage());
    }
    return armed;
  }

  static List<Armed> parse(List<String> lines) {
    List<Armed> out = new ArrayList<>();
    for (String line : lines) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      String[] f = l.split("\\s+");
      if (f.length != 4 || !f[2].equals("sleep") || !f[3].matches("\\d+")) {
        log.warn("ignoring failpoint line '{}': expected NAME SUBJECT-GLOB sleep MS", l);
        continue;
      }
      out.add(new Armed(f[0], f[1], Long.parseLong(f[3])));
    }
    return out;
  }

  private void record(String name, String subject) {
    Path hits = file.resolveSibling(file.getFileName() + ".hits");
    try {
      Files.writeString(hits, name + " " + subject + " " + ProcessHandle.current().pid() + "\n",
          StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      log.warn("cannot record failpoint hit in {}: {}", hits, e.getMessage());
    }
  }
}
