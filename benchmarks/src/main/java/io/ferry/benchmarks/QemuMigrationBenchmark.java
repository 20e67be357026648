package io.ferry.benchmarks;

import com.google.protobuf.util.Durations;
import io.ferry.hostagent.qemu.guest.TestGuest;
import io.ferry.hostagent.qemu.launch.QemuLauncher;
import io.ferry.hostagent.qemu.launch.QemuSettings;
import io.ferry.hostagent.qemu.launch.QemuVm;
import io.ferry.hostagent.qemu.migrate.QemuMigrationDestination;
import io.ferry.hostagent.qemu.migrate.QemuMigrationOptions;
import io.ferry.hostagent.qemu.migrate.QemuMigrationResult;
import io.ferry.hostagent.qemu.migrate.QemuMigrationSource;
import io.ferry.v1.DiskSpec;
import io.ferry.v1.MigrationLimits;
import io.ferry.v1.MigrationStrategy;
import io.ferry.v1.VmSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Ferry's {@code AUTO} strategy against QEMU's defaults (plain {@code migrate}, no parameter set) on the same test
 * guest and the same link, real QEMUs (TCG) on loopback, the link capped with max-bandwidth for both. Two dirty rates:
 * below the link (the guest pauses between passes) and above it (the guest rewrites its whole range continuously).
 * Downtime is QEMU's reported downtime; a run that has not completed after {@code giveUpAfter} is cancelled and
 * counted as not completed.
 */
public final class QemuMigrationBenchmark {
  /**
   * @param runs migrations per strategy and dirty rate
   * @param memoryMiB guest RAM
   * @param linkBytesPerSecond the max-bandwidth cap standing in for the link
   * @param slowDelayLoops guest busy-wait per pass for the "below the link" rate
   * @param giveUpAfter when a migration counts as not completing
   */
  public record Options(int runs, int memoryMiB, long linkBytesPerSecond, long slowDelayLoops, Duration giveUpAfter,
      Path workDir) {
    public static Options defaults(Path workDir) {
      return new Options(3, 64, 32L << 20, 4_000_000_000L, Duration.ofSeconds(60), workDir);
    }
  }

  /** The runs of one strategy at one dirty rate. */
  public record Row(String dirtyRate, String strategy, int runs, int completed, double dirtyMiBPerSecond,
      double downtimeP50Millis, double downtimeP99Millis, double totalP50Seconds, double totalP99Seconds,
      List<String> notes) {
    static String markdownHeader() {
      return "| dirty rate | strategy | completed | measured dirty rate MiB/s | downtime p50 ms | downtime p99 ms "
          + "| total p50 s | total p99 s |\n|---|---|---|---|---|---|---|---|";
    }

    String markdownRow() {
      return String.format(Locale.ROOT, "| %s | %s | %d/%d | %.1f | %s | %s | %s | %s |", dirtyRate, strategy,
          completed, runs, dirtyMiBPerSecond, num(downtimeP50Millis, "%.0f"), num(downtimeP99Millis, "%.0f"),
          num(totalP50Seconds, "%.1f"), num(totalP99Seconds, "%.1f"));
    }

    String json() {
      return String.format(Locale.ROOT, "{\"dirtyRate\":\"%s\",\"strategy\":\"%s\",\"runs\":%d,\"completed\":%d,"
          + "\"dirtyMiBPerSecond\":%.2f,\"downtimeP50Millis\":%s,\"downtimeP99Millis\":%s,"
          + "\"totalP50Seconds\":%s,\"totalP99Seconds\":%s}", dirtyRate, strategy, runs, completed,
          dirtyMiBPerSecond, jsonNum(downtimeP50Millis), jsonNum(downtimeP99Millis), jsonNum(totalP50Seconds),
          jsonNum(totalP99Seconds));
    }

    // JSON has no NaN: a figure without a completed run is null
    private static String jsonNum(double v) {
      return Double.isNaN(v) ? "null" : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String num(double v, String fmt) {
      return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, fmt, v);
    }
  }

  private record Run(QemuMigrationResult result) {}

  private QemuMigrationBenchmark() {}

  public static List<Row> run(Options o) {
    List<Row> rows = new ArrayList<>();
    for (boolean above : new boolean[] {false, true}) {
      long delay = above ? 0 : o.slowDelayLoops();
      String rate = above ? "above the link" : "below the link";
      rows.add(row(o, rate, "ferry auto", delay, ferryAuto(o)));
      rows.add(row(o, rate, "qemu defaults", delay,
          QemuMigrationOptions.qemuDefaults(o.giveUpAfter(), false).withBandwidth(o.linkBytesPerSecond())));
    }
    return rows;
  }

  static QemuMigrationOptions ferryAuto(Options o) {
    MigrationLimits limits = MigrationLimits.newBuilder().setMaxDowntime(Durations.fromMillis(300))
        .setBandwidthBytesPerSecond(o.linkBytesPerSecond()).setAllowPostCopy(true)
        .setTimeout(Durations.fromMillis(o.giveUpAfter().toMillis())).build();
    return QemuMigrationOptions.from(MigrationStrategy.AUTO, limits);
  }

  private static Row row(Options o, String rate, String strategy, long delay, QemuMigrationOptions options) {
    List<QemuMigrationResult> results = new ArrayList<>();
    for (int i = 0; i < o.runs(); i++) {
      results.add(once(o, delay, options, strategy.replace(' ', '-') + "-" + i));
    }
    List<QemuMigrationResult> done = results.stream().filter(QemuMigrationResult::completed).toList();
    double[] downtime = done.stream().mapToDouble(r -> Durations.toMillis(r.stats().getReportedDowntime()))
        .sorted().toArray();
    double[] total = done.stream().mapToDouble(r -> Durations.toMillis(r.stats().getTotal()) / 1000.0)
        .sorted().toArray();
    double dirty = results.stream().mapToDouble(r -> r.stats().getDirtyRateBytesPerSecond()).max().orElse(0)
        / (1 << 20);
    List<String> notes = results.stream().flatMap(r -> Stream.concat(Stream.of(r.outcome() + ": " + r.reason()),
        r.notes().stream())).distinct().toList();
    return new Row(rate, strategy, o.runs(), done.size(), dirty, percentile(downtime, 50), percentile(downtime, 99),
        percentile(total, 50), percentile(total, 99), notes);
  }

  private static QemuMigrationResult once(Options o, long delay, QemuMigrationOptions options, String tag) {
    Path dir = o.workDir().resolve(tag);
    TestGuest guest = TestGuest.forMemory(o.memoryMiB(), delay);
    QemuLauncher a = new QemuLauncher(QemuSettings.defaults(dir.resolve("a")), Clock.systemUTC());
    QemuLauncher b = new QemuLauncher(QemuSettings.defaults(dir.resolve("b")), Clock.systemUTC());
    List<QemuVm> vms = new ArrayList<>();
    // QEMU is daemonized: without this hook an interrupted benchmark would leave its VMs running
    Thread cleanup = new Thread(() -> vms.forEach(QemuVm::destroy), "bench-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    try {
      Files.createDirectories(dir);
      VmSpec spec = VmSpec.newBuilder().setName("bench").setVcpus(1).setMemoryBytes((long) o.memoryMiB() << 20)
          .setAccelerator("tcg").addDisks(DiskSpec.newBuilder()
              .setPath(guest.writeImage(dir.resolve("guest.img")).toString()).setFormat("raw")).build();
      QemuVm source = a.start(spec);
      vms.add(source);
      awaitFirstPass(source);
      QemuVm target = b.startIncoming(spec);
      vms.add(target);
      Duration qmp = Duration.ofSeconds(10);
      QemuMigrationDestination d = QemuMigrationDestination.listen(target, options, "127.0.0.1", 0,
          Optional.empty(), qmp);
      QemuMigrationResult r = new QemuMigrationSource(source, Clock.systemUTC(), qmp).migrate(d.uri(), options,
          Optional.empty(), Optional.empty(), Optional::empty);
      System.err.printf(Locale.ROOT, "%s: %s %s downtime %d ms total %d ms %s%n", tag, r.outcome(), r.reason(),
          Durations.toMillis(r.stats().getReportedDowntime()), Durations.toMillis(r.stats().getTotal()), r.notes());
      return r;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      vms.forEach(QemuVm::destroy);
      Runtime.getRuntime().removeShutdownHook(cleanup);
      a.close();
      b.close();
      delete(dir);
    }
  }

  // The guest prints its first marker after its first pass: from then on it dirties memory at its steady rate.
  private static void awaitFirstPass(QemuVm vm) throws IOException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(vm.serialLog()) && Files.readString(vm.serialLog()).indexOf(TestGuest.MARKER) >= 0) {
        return;
      }
      vm.awaitExit(Duration.ofMillis(50)); // a bounded wait that also notices a crashed QEMU
      if (!vm.isAlive()) {
        throw new IllegalStateException("benchmark guest died before its first pass");
      }
    }
    throw new IllegalStateException("benchmark guest made no pass within 60 s");
  }

  static double percentile(double[] sorted, int p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  private static void delete(Path root) {
    try (Stream<Path> files = Files.walk(root)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a leftover temp directory is harmless
    }
  }

  /** Renders the rows as the Markdown table of docs/benchmarks.md. */
  public static String markdown(List<Row> rows) {
    StringBuilder b = new StringBuilder(Row.markdownHeader()).append('\n');
    rows.forEach(r -> b.append(r.markdownRow()).append('\n'));
    return b.toString();
  }

  public static String json(List<Row> rows) {
    return "[" + String.join(",", rows.stream().map(Row::json).toList()) + "]";
  }

  /** {@code QemuMigrationBenchmark [runs] [giveUpSeconds]}. */
  public static void main(String[] args) throws IOException {
    Path work = Files.createTempDirectory("ferry-qemu-bench");
    Options d = Options.defaults(work);
    Options o = new Options(args.length > 0 ? Integer.parseInt(args[0]) : d.runs(), d.memoryMiB(),
        d.linkBytesPerSecond(), d.slowDelayLoops(),
        args.length > 1 ? Duration.ofSeconds(Long.parseLong(args[1])) : d.giveUpAfter(), work);
    List<Row> rows = run(o);
    System.out.println(markdown(rows));
    rows.forEach(r -> System.out.println(r.strategy() + " / " + r.dirtyRate() + ": " + r.notes()));
    System.out.println(json(rows));
    delete(work);
  }
}
