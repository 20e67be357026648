package io.ferry.benchmarks;

import com.google.protobuf.util.Durations;
import io.ferry.hostagent.hypervisor.VirtualMachine;
import io.ferry.hostagent.migration.MigrationOutcome;
import io.ferry.hostagent.migration.MigrationSettings;
import io.ferry.hostagent.migration.kit.LoopbackAgents;
import io.ferry.hostagent.qemu.QemuHypervisor;
import io.ferry.hostagent.qemu.compat.CpuProbe;
import io.ferry.hostagent.qemu.guest.TestGuest;
import io.ferry.hostagent.qemu.launch.QemuSettings;
import io.ferry.hostagent.qemu.migrate.MigrationTls;
import io.ferry.v1.DiskSpec;
import io.ferry.v1.MigrateVmRequest;
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
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * An idle QEMU guest migrated back and forth between two agents through Ferry's whole path (tickets, the engine's
 * prepare / confirm / commit, QEMU's stream over TLS), on TCG over loopback. The guest is the project's test guest
 * after its first pass (every page written once) with a long pause between passes, so RAM is full but quiet.
 *
 * <p>Guest-visible downtime is the time between QEMU's STOP event on the source and its RESUME event on the
 * destination (QEMU's own timestamps): the guest's vCPUs run on neither host in between. QEMU's reported downtime
 * is printed beside it.
 */
public final class QemuIdleBenchmark {
  /** @param memoryMiB guest RAM; @param runs migrations, each from the host where the VM runs to the other */
  public record Options(int memoryMiB, int runs, Path workDir) {
    public static Options defaults(Path workDir) {
      return new Options(1024, 10, workDir);
    }
  }

  /** The figures of all runs. */
  public record Result(int memoryMiB, int runs, int committed, double guestDowntimeP50Ms, double guestDowntimeP99Ms,
                       double reportedDowntimeP50Ms, double reportedDowntimeP99Ms, double totalP50Seconds,
                       double totalP99Seconds, double throughputMiBPerSecond) {
    public String markdown() {
      return String.format(Locale.ROOT, "| guest | runs committed | guest-visible downtime p50 / p99 ms "
          + "| QEMU-reported downtime p50 / p99 ms | total p50 / p99 s | throughput MiB/s |%n|---|---|---|---|---|---|%n"
          + "| idle %d MiB | %d/%d | %.1f / %.1f | %.0f / %.0f | %.2f / %.2f | %.0f |%n", memoryMiB, committed, runs,
          guestDowntimeP50Ms, guestDowntimeP99Ms, reportedDowntimeP50Ms, reportedDowntimeP99Ms, totalP50Seconds,
          totalP99Seconds, throughputMiBPerSecond);
    }

    public String json() {
      return String.format(Locale.ROOT, "{\"memoryMiB\":%d,\"runs\":%d,\"committed\":%d,\"guestDowntimeP50Ms\":%.2f,"
          + "\"guestDowntimeP99Ms\":%.2f,\"reportedDowntimeP50Ms\":%.2f,\"reportedDowntimeP99Ms\":%.2f,"
          + "\"totalP50Seconds\":%.3f,\"totalP99Seconds\":%.3f,\"throughputMiBPerSecond\":%.1f}", memoryMiB, runs,
          committed, guestDowntimeP50Ms, guestDowntimeP99Ms, reportedDowntimeP50Ms, reportedDowntimeP99Ms,
          totalP50Seconds, totalP99Seconds, throughputMiBPerSecond);
    }
  }

  private QemuIdleBenchmark() {}

  public static Result run(Options o) {
    LoopbackAgents.Driver qemu = (host, stateDir, events, certs) -> new QemuHypervisor(host,
        new QemuHypervisor.Config(QemuSettings.defaults(stateDir.resolve("vms")), stateDir.resolve("disks"),
            MigrationTls.writeQemuDirectory(certs, stateDir.resolve("qemu-tls")), "127.0.0.1",
            CpuProbe.fromCpuinfo(Path.of("/proc/cpuinfo"), "bench")), events, Clock.systemUTC());
    List<MigrationOutcome> outcomes = new ArrayList<>();
    Thread cleanup = new Thread(() -> killQemus(o.workDir()), "bench-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    try (LoopbackAgents agents = new LoopbackAgents(o.workDir().resolve("agents"), qemu, MigrationSettings.defaults(),
        MigrationSettings.defaults())) {
      TestGuest guest = TestGuest.idleAfterFirstPass(o.memoryMiB());
      Files.createDirectories(o.workDir());
      VmSpec spec = VmSpec.newBuilder().setName("idle").setVcpus(1).setMemoryBytes((long) o.memoryMiB() << 20)
          .setAccelerator("tcg").addDisks(DiskSpec.newBuilder()
              .setPath(guest.writeImage(o.workDir().resolve("guest.img")).toString()).setFormat("raw")).build();
      VirtualMachine vm = agents.src.hypervisor.define(spec);
      vm.start();
      awaitFirstPass(o.workDir().resolve("agents/state-src/vms/idle/serial.log"));
      MigrationLimits limits = MigrationLimits.newBuilder().setMaxDowntime(Durations.fromMillis(50))
          .setTimeout(Durations.fromSeconds(120)).build();
      LoopbackAgents.Host from = agents.src;
      LoopbackAgents.Host to = agents.dst;
      for (int i = 0; i < o.runs(); i++) {
        MigrateVmRequest r = agents.request(from, to, "idle", MigrationStrategy.PRE_COPY, limits);
        MigrationOutcome out = agents.migrate(from, r, Duration.ofMinutes(3));
        System.err.printf(Locale.ROOT, "idle %d MiB run %d: %s guest-visible %.1f ms, QEMU %d ms, total %.2f s%n",
            o.memoryMiB(), i, out.result(), Durations.toNanos(out.stats().getDowntime()) / 1e6,
            Durations.toMillis(out.stats().getReportedDowntime()), Durations.toMillis(out.stats().getTotal()) / 1e3);
        outcomes.add(out);
        if (out.committed()) {
          LoopbackAgents.Host t = from;
          from = to;
          to = t;
        } else if (from.hypervisor.find("idle").isEmpty()) {
          break; // neither rolled back nor moved: nothing left to migrate
        }
        // a run that did not commit counts as such; the VM runs where it was, and the next run starts from there
      }
      agents.src.hypervisor.find("idle").or(() -> agents.dst.hypervisor.find("idle")).ifPresent(VirtualMachine::destroy);
    } catch (Exception e) {
      throw new IllegalStateException("idle QEMU benchmark failed: " + e.getMessage(), e);
    } finally {
      killQemus(o.workDir());
      Runtime.getRuntime().removeShutdownHook(cleanup);
    }
    List<MigrationOutcome> done = outcomes.stream().filter(MigrationOutcome::committed).toList();
    double[] guest = done.stream().mapToDouble(x -> Durations.toNanos(x.stats().getDowntime()) / 1e6).sorted()
        .toArray();
    double[] reported = done.stream().mapToDouble(x -> Durations.toMillis(x.stats().getReportedDowntime())).sorted()
        .toArray();
    double[] total = done.stream().mapToDouble(x -> Durations.toMillis(x.stats().getTotal()) / 1e3).sorted()
        .toArray();
    double throughput = done.stream().mapToDouble(x -> x.stats().getBytesRam()
        / Math.max(1e-3, Durations.toMillis(x.stats().getTotal()) / 1e3)).sorted().skip(done.size() / 2)
        .findFirst().orElse(0) / (1 << 20);
    return new Result(o.memoryMiB(), o.runs(), done.size(), QemuMigrationBenchmark.percentile(guest, 50),
        QemuMigrationBenchmark.percentile(guest, 99), QemuMigrationBenchmark.percentile(reported, 50),
        QemuMigrationBenchmark.percentile(reported, 99), QemuMigrationBenchmark.percentile(total, 50),
        QemuMigrationBenchmark.percentile(total, 99), throughput);
  }

  /** {@code QemuIdleBenchmark [memoryMiB] [runs]}: prints the Markdown table and the JSON. */
  public static void main(String[] args) throws IOException {
    Path work = Files.createTempDirectory("ferry-qemu-idle");
    Options d = Options.defaults(work);
    Result r = run(new Options(args.length > 0 ? Integer.parseInt(args[0]) : d.memoryMiB(),
        args.length > 1 ? Integer.parseInt(args[1]) : d.runs(), work));
    System.out.println(r.markdown());
    System.out.println(r.json());
  }

  private static void awaitFirstPass(Path serialLog) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    while (System.nanoTime() < deadline) {
      if (Files.exists(serialLog) && Files.readString(serialLog).indexOf(TestGuest.MARKER) >= 0) {
        return;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("the benchmark guest made no pass within 5 minutes");
  }

  private static void killQemus(Path workDir) {
    try {
      new ProcessBuilder("pkill", "-9", "-f", workDir.toString()).start().waitFor(10, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
