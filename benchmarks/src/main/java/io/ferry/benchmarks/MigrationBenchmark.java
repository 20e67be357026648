package io.ferry.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.ferry.common.tls.TlsMaterial;
import io.ferry.hostagent.hypervisor.VirtualMachine;
import io.ferry.hostagent.migration.MigrationOutcome;
import io.ferry.hostagent.migration.MigrationSettings;
import io.ferry.hostagent.migration.kit.LoopbackAgents;
import io.ferry.hostagent.sim.OffHeap;
import io.ferry.v1.MigrationLimits;
import io.ferry.v1.MigrationStrategy;
import io.ferry.v1.VmSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Live-migration benchmark on this machine, in one run: plain loopback TCP throughput vs the engine's throughput
 * for an idle VM (with mTLS and in plain text, beside the engine's transport alone), then total time and downtime
 * (p50, p99) at guest dirty rates of 0 % to 200 % of a capped link, per strategy. Two agents in this JVM, real gRPC
 * over loopback, sim VMs with real memory.
 */
public final class MigrationBenchmark {
  private static final double MIB = 1 << 20;

  /**
   * @param idleVmMiB size of the idle VM for the throughput and idle-downtime runs
   * @param matrixVmMiB size of the VM in the dirty-rate matrix
   * @param warmUpRuns idle migrations before those measured, not counted: the JIT compiles the transfer path during
   *     the first ones, which a long-running agent has done long ago (on this machine the throughput still rose
   *     until about the fifth 1 GiB migration)
   * @param idleRuns idle migrations (throughput, idle downtime percentiles), with mTLS and again in plain text
   * @param runs migrations per matrix cell
   * @param linkBytesPerSecond bandwidth cap of the matrix migrations: the dirty rates are ratios of it
   * @param rateRatios guest dirty rates as ratios of the link
   * @param strategies strategies of the matrix
   * @param streams transfer streams per migration
   */
  public record Options(int idleVmMiB, int matrixVmMiB, int warmUpRuns, int idleRuns, int runs,
                        long linkBytesPerSecond, List<Double> rateRatios, List<MigrationStrategy> strategies,
                        int streams) {
    public static Options full() {
      return new Options(1024, 128, 5, 10, 10, 128L << 20, List.of(0.0, 0.25, 0.5, 1.0, 2.0),
          List.of(MigrationStrategy.PRE_COPY, MigrationStrategy.AUTO_CONVERGE, MigrationStrategy.POST_COPY,
              MigrationStrategy.AUTO), 2);
    }

    /** CI smoke: small VMs, two runs per cell. */
    public static Options quick() {
      return new Options(128, 32, 1, 3, 2, 32L << 20, List.of(0.0, 0.5, 2.0),
          List.of(MigrationStrategy.PRE_COPY, MigrationStrategy.AUTO_CONVERGE, MigrationStrategy.POST_COPY,
              MigrationStrategy.AUTO), 2);
    }

    public Options withRuns(int idle, int matrix) {
      return new Options(idleVmMiB, matrixVmMiB, warmUpRuns, idle, matrix, linkBytesPerSecond, rateRatios,
          strategies, streams);
    }
  }

  /**
   * One way of moving the idle VM's bytes.
   *
   * @param bytesPerSecond payload bytes per second
   * @param cpuSecondsPerGiB CPU time of this whole process (sender and receiver, and for migrations the guest's
   *     vCPU thread) per GiB moved: unlike throughput, barely changed by other load on the machine
   */
  public record Throughput(double bytesPerSecond, double cpuSecondsPerGiB) {}

  /** The idle VM migrated between hosts whose guest RAM is on reserved huge pages, with mTLS and in plain text. */
  /**
   * @param runsPoolShort measured runs that began with fewer free huge pages than the VM needs at the destination
   *     (something else took them): those ran partly on ordinary memory
   */
  public record HugePageRows(Throughput engine, Throughput enginePlainText, int runsPoolShort) {}

  /** One strategy at one dirty rate. */
  public record Cell(String strategy, double dirtyRateRatio, int runs, int committed, double totalP50Ms,
                     double totalP99Ms, double downtimeP50Ms, double downtimeP99Ms, String lastProblem) {}

  /**
   * Everything measured in one run.
   *
   * @param rawTcp plain one-connection socket copy (the baseline)
   * @param rawTls the same copy over one mTLS connection through the TLS stack of the agents' transport
   *     ({@link LoopbackTls}): the price of encryption alone
   * @param tlsStack which TLS implementation, protocol and cipher suite carried {@code rawTls}
   * @param rawTlsIntoFreshMemory the TLS copy, over as many connections as the engine's streams, with the receivers
   *     writing every byte into memory taken as a sim destination takes its guest RAM: what any encrypted migration
   *     onto this host pays, engine or not (best of three)
   * @param engine the idle VM migrated with mTLS (the default: streams on the destination's data channel; guest RAM
   *     ordinary memory, fresh from the kernel on the destination)
   * @param engineTransferCalls the same with the streams as gRPC {@code Transfer} calls (destinations without a
   *     data channel)
   * @param enginePlainText the same without TLS ({@code --insecure})
   * @param hugePages the engine rows with guest RAM on the host's reserved huge pages ({@code --sim-hugepages}), or
   *     {@code null} when the host had too few free for two copies of the idle VM
   * @param reservedHugePagesAvailableBytes the host's free reserved huge pages when the run began
   * @param grpcStream the engine's transport alone ({@link GrpcStreamCopy}), with mTLS
   * @param grpcStreamPlainText the same without TLS
   * @param loadAverages the machine's 1-minute load average before and after the idle measurements: other work on
   *     the machine takes cores from both agents and shows in the throughputs, much less in the CPU per GiB
   */
  public record Result(Options options, Throughput rawTcp, Throughput rawTls, String tlsStack,
                       Throughput rawTlsIntoFreshMemory, Throughput engine,
                       Throughput engineTransferCalls, Throughput enginePlainText, HugePageRows hugePages,
                       long reservedHugePagesAvailableBytes, Throughput grpcStream, Throughput grpcStreamPlainText,
                       List<Double> loadAverages,
                       double idleDowntimeP50Ms, double idleDowntimeP99Ms, double idleTotalP50Ms, List<Cell> cells) {
    /**
     * The throughput target, engine at least 70 % of the plain socket copy, compared like with like: the
     * engine in plain text (on reserved huge pages when measured, where a destination's guest RAM is not fresh
     * from the kernel).
     */
    public boolean plainTextTargetMet() {
      return ratio(hugePages != null ? hugePages.enginePlainText() : enginePlainText, rawTcp) >= 0.7;
    }

    private static double ratio(Throughput a, Throughput b) {
      return a.bytesPerSecond() / b.bytesPerSecond();
    }

    /** Whether AUTO committed every run at the highest dirty rate while PRE_COPY did not. */
    public boolean autoBeatsPreCopyAtHighestRate() {
      double top = options.rateRatios().stream().mapToDouble(Double::doubleValue).max().orElse(0);
      Cell auto = cell("AUTO", top);
      Cell pre = cell("PRE_COPY", top);
      return auto != null && pre != null && auto.committed() == auto.runs() && pre.committed() < pre.runs();
    }

    private Cell cell(String strategy, double ratio) {
      return cells.stream().filter(c -> c.strategy().equals(strategy) && c.dirtyRateRatio() == ratio).findFirst()
          .orElse(null);
    }

    public String json() {
      try {
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(this);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    public String markdownSection() {
      StringBuilder b = new StringBuilder();
      b.append("## Live migration (sim VMs, two agents on loopback)\n\n");
      b.append(String.format(Locale.ROOT, "Idle %d MiB VM (all memory written with pseudo-random bytes, nothing"
              + " dirtied), pre-copy, %d streams, uncapped, full-memory digest check off; %d runs per engine row,"
              + " the rows interleaved, each after %d warm-up migration(s) of its own. Engine throughput is RAM bytes"
              + " over total migration time (prepare to commit); its streams run on the destination's data channel"
              + " (own connections) unless the row says Transfer calls. Raw TCP is a plain one-connection socket"
              + " copy of the same bytes into a reused buffer, raw TLS the same over one TLS connection; the gRPC"
              + " stream rows carry chunks of the engine's size as Transfer calls to a receiver that only"
              + " acknowledges them. All rows come from the same run, both agents in one process on this"
              + " machine (%d cores; load average %.1f before, %.1f after); CPU is that process's CPU time per GiB"
              + " moved.%n%n", options.idleVmMiB(), options.streams(), options.idleRuns(), options.warmUpRuns(),
          Runtime.getRuntime().availableProcessors(), loadAverages.get(0), loadAverages.get(1)));
      b.append("Guest RAM: a destination writes every byte into memory its VM has just taken. Ordinary memory (the"
          + " sim default, transparent huge pages) comes fresh from the kernel; where the host is itself a VM whose"
          + " balloon reports freed memory (this machine), memory freed a few seconds earlier costs the host's page"
          + " faults when touched again, about 2 s of CPU per GiB here against 0.12 s for memory still at hand."
          + " Reserved huge pages of 2 MiB (`ferry agent --sim-hugepages`, the pool in"
          + " /sys/kernel/mm/hugepages/hugepages-2048kB; what KVM hosts that set huge pages aside for their VMs use)"
          + " stay in their pool when a VM leaves, ready for the next one.");
      if (hugePages == null) {
        b.append(String.format(Locale.ROOT, " The rows on reserved huge pages were not measured: the host had %d"
                + " MiB of them free and they need %d MiB (`echo %d >"
                + " /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages`).",
            reservedHugePagesAvailableBytes >> 20, 2L * options.idleVmMiB(), options.idleVmMiB() + 64));
      } else if (hugePages.runsPoolShort() > 0) {
        b.append(String.format(Locale.ROOT, " In %d run(s) on reserved huge pages the pool had too few free pages for"
            + " the destination's copy (something else took them): those ran partly on ordinary memory.",
            hugePages.runsPoolShort()));
      }
      b.append("\n\n| measure | throughput | of raw TCP | of raw TLS | CPU per GiB | target |\n"
          + "|---|---|---|---|---|---|\n");
      row(b, "raw loopback TCP", rawTcp, "");
      row(b, "raw loopback TLS (" + tlsStack + ")", rawTls, "");
      row(b, String.format(Locale.ROOT, "raw loopback TLS, %d connections, landing in fresh memory",
          options.streams()), rawTlsIntoFreshMemory, "");
      if (hugePages != null) {
        row(b, "**engine, plain text (`--insecure`), guest RAM on reserved huge pages**",
            hugePages.enginePlainText(), ">= 70 % of raw TCP");
        row(b, "**engine, mTLS (default), guest RAM on reserved huge pages**", hugePages.engine(), "");
      }
      row(b, "engine, plain text, ordinary guest RAM", enginePlainText, hugePages == null ? ">= 70 % of raw TCP" : "");
      row(b, "engine, mTLS (default), ordinary guest RAM", engine, "");
      row(b, "engine, mTLS, ordinary guest RAM, streams as gRPC Transfer calls", engineTransferCalls, "");
      row(b, "gRPC stream alone, mTLS", grpcStream, "");
      row(b, "gRPC stream alone, plain text", grpcStreamPlainText, "");
      Throughput plainRow = hugePages != null ? hugePages.enginePlainText() : enginePlainText;
      Throughput mtlsRow = hugePages != null ? hugePages.engine() : engine;
      b.append(String.format(Locale.ROOT, "%nThroughput target (the engine at least 70 %% of raw loopback TCP): %s"
              + " in plain text, where the engine and the socket copy both move bytes in the clear: %.0f %%%s."
              + " With mTLS, the default: %s, %.0f %% of raw TCP and %.0f %% of raw TLS; encryption alone (one TLS"
              + " connection sending a buffer that stays in cache, no framing, nothing landing in guest RAM)"
              + " reaches %.0f %% of raw TCP in this run%s. Over gRPC Transfer calls instead of the data channel the"
              + " engine reaches %.0f %% of its data-channel speed.%n",
          plainTextTargetMet() ? "met" : "not met", 100 * ratio(plainRow, rawTcp),
          hugePages == null ? "" : String.format(Locale.ROOT, " with guest RAM on reserved huge pages (%.0f %%"
              + " on ordinary guest RAM)", 100 * ratio(enginePlainText, rawTcp)),
          ratio(mtlsRow, rawTcp) >= 0.7 ? "met" : "not met", 100 * ratio(mtlsRow, rawTcp),
          100 * ratio(mtlsRow, rawTls), 100 * ratio(rawTls, rawTcp),
          ratio(rawTls, rawTcp) < 0.7 ? ", so no encrypted copy could reach 70 % of the plain one" : "",
          100 * ratio(engineTransferCalls, engine)));
      b.append(String.format(Locale.ROOT, "%nThe TLS copy landing in fresh memory is what any encrypted migration"
              + " onto ordinary memory pays here, engine or not (receivers write into memory taken as a sim"
              + " destination takes guest RAM, over as many connections as the engine has streams, best of three):"
              + " %.2f s CPU per GiB more than the one-connection copy and %.0f %% of raw TCP's throughput; the"
              + " engine with mTLS on ordinary guest RAM reaches %.0f %% of it.%n",
          rawTlsIntoFreshMemory.cpuSecondsPerGiB() - rawTls.cpuSecondsPerGiB(),
          100 * ratio(rawTlsIntoFreshMemory, rawTcp), 100 * ratio(engine, rawTlsIntoFreshMemory)));
      b.append(String.format(Locale.ROOT,
          "%n| idle VM (mTLS, ordinary guest RAM) | value | target |%n|---|---|---|%n"));
      b.append(String.format(Locale.ROOT, "| downtime p50 / p99 | %.1f / %.1f ms | p50 < 20 ms |%n",
          idleDowntimeP50Ms, idleDowntimeP99Ms));
      b.append(String.format(Locale.ROOT, "| total time p50 | %.0f ms | |%n%n", idleTotalP50Ms));
      b.append(String.format(Locale.ROOT, "Dirty-rate matrix: %d MiB VM (all memory touched), uniform whole-page"
              + " writes, link capped at %.0f MiB/s, max downtime 300 ms, max 10 rounds, post-copy allowed for"
              + " AUTO, %d runs per cell. Times over committed runs only.%n%n", options.matrixVmMiB(),
          options.linkBytesPerSecond() / MIB, options.runs()));
      b.append("| strategy | dirty rate (of link) | committed | total p50 / p99 (ms) | downtime p50 / p99 (ms) |\n");
      b.append("|---|---|---|---|---|\n");
      for (Cell c : cells) {
        b.append(String.format(Locale.ROOT, "| %s | %.0f %% | %d/%d | %s | %s |%n", c.strategy(),
            100 * c.dirtyRateRatio(), c.committed(), c.runs(), pair(c.totalP50Ms(), c.totalP99Ms(), "%.0f"),
            pair(c.downtimeP50Ms(), c.downtimeP99Ms(), "%.1f")));
      }
      b.append(String.format(Locale.ROOT, "%nAUTO completes at the highest rate where plain pre-copy does not: %s.%n",
          autoBeatsPreCopyAtHighestRate() ? "yes" : "no"));
      return b.toString();
    }

    private void row(StringBuilder b, String what, Throughput t, String target) {
      b.append(String.format(Locale.ROOT, "| %s | %.0f MiB/s | %.0f %% | %.0f %% | %.2f s | %s |%n", what,
          t.bytesPerSecond() / MIB, 100 * ratio(t, rawTcp), 100 * ratio(t, rawTls), t.cpuSecondsPerGiB(), target));
    }

    private static String pair(double a, double b, String f) {
      return Double.isNaN(a) ? "—" : String.format(Locale.ROOT, f + " / " + f, a, b);
    }
  }

  /**
   * Pause before a measured migration onto ordinary guest RAM: on a host whose own host takes freed memory back (a
   * VM with free page reporting) the kernel reports memory about 2 s after it was freed. Without the pause a row
   * measured right after another freed its VMs' memory finds it still at hand and the next does not, so rows
   * differed by a factor of three; with it, every such row lands in memory the way a destination that has not just
   * freed a VM of the same size does.
   */
  private static final Duration ORDINARY_MEMORY_SETTLE = Duration.ofSeconds(4);

  private MigrationBenchmark() {}

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  public static Result run(Options o) {
    Path dir;
    try {
      dir = Files.createTempDirectory("ferry-migration-bench");
      Files.createDirectories(dir.resolve("mtls"));
      Files.createDirectories(dir.resolve("plain"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    MigrationSettings settings = MigrationSettings.defaults().withVerifyFullDigest(false);
    MigrationSettings noDataChannel = settings.withDataChannel(false);
    long idleBytes = (long) o.idleVmMiB() << 20;
    long hugePool = OffHeap.reservedHugePagesAvailableBytes();
    boolean huge = hugePool >= 2 * idleBytes; // source and destination hold a copy each while it moves
    try (LoopbackAgents agents = new LoopbackAgents(dir.resolve("mtls"), settings, settings);
         LoopbackAgents plain = new LoopbackAgents(dir.resolve("plain"), settings, settings, true);
         LoopbackAgents calls = new LoopbackAgents(dir.resolve("calls"), noDataChannel, noDataChannel);
         LoopbackAgents hugeMtls = huge ? new LoopbackAgents(dir.resolve("huge-mtls"),
             LoopbackAgents.SIM_ON_RESERVED_HUGE_PAGES, settings, settings, false) : null;
         LoopbackAgents hugePlain = huge ? new LoopbackAgents(dir.resolve("huge-plain"),
             LoopbackAgents.SIM_ON_RESERVED_HUGE_PAGES, settings, settings, true) : null) {
      double loadBefore = loadAverage();
      Throughput raw = measure(idleBytes, () -> LoopbackTcp.throughputBytesPerSecond(idleBytes));
      VmSpec idleVm = spec("idle", o.idleVmMiB(), 0);
      MigrationLimits idleLimits = limits(o, 0).build();
      List<LoopbackAgents> pairs = new ArrayList<>(List.of(agents, plain, calls));
      if (huge) {
        pairs.add(hugeMtls);
        pairs.add(hugePlain);
      }
      List<Series> idleSeries = new ArrayList<>();
      for (LoopbackAgents pair : pairs) {
        // every pair gets its warm-up: plain text and Transfer calls run code of their own
        new Series(pair, idleVm, idleLimits).run(MigrationStrategy.PRE_COPY, o.warmUpRuns());
        Series measured = new Series(pair, idleVm, idleLimits);
        if (pair != hugeMtls && pair != hugePlain) {
          measured.settleBeforeMigrating = ORDINARY_MEMORY_SETTLE;
        } else {
          measured.onReservedHugePages = true;
        }
        idleSeries.add(measured);
      }
      for (int i = 0; i < o.idleRuns(); i++) {
        // interleaved, so that all see the same load from whatever else runs on the machine
        idleSeries.forEach(series -> series.run(MigrationStrategy.PRE_COPY, 1));
      }
      Series idle = idleSeries.get(0);
      Series idlePlain = idleSeries.get(1);
      Series idleCalls = idleSeries.get(2);
      HugePageRows hugeRows = huge ? new HugePageRows(idleSeries.get(3).throughput(),
          idleSeries.get(4).throughput(), idleSeries.get(3).runsPoolShort + idleSeries.get(4).runsPoolShort) : null;
      int chunkBytes = settings.chunkUnits() * 4096;
      TlsMaterial tls = TlsMaterial.fromDirectory(agents.certificates("src"));
      // the server's generated binding and the plain-text channel have not run yet: one copy each to compile them
      GrpcStreamCopy.throughputBytesPerSecond(idleBytes / 4, chunkBytes, o.streams(), tls);
      GrpcStreamCopy.throughputBytesPerSecond(idleBytes / 4, chunkBytes, o.streams(), TlsMaterial.insecurePlainText());
      Throughput grpc = measure(idleBytes, () -> GrpcStreamCopy.throughputBytesPerSecond(idleBytes, chunkBytes,
          o.streams(), tls));
      Throughput grpcPlain = measure(idleBytes, () -> GrpcStreamCopy.throughputBytesPerSecond(idleBytes, chunkBytes,
          o.streams(), TlsMaterial.insecurePlainText()));
      String tlsStack = LoopbackTls.copy(idleBytes / 4, tls).stack(); // also the warm-up
      Throughput rawTls = measure(idleBytes, () -> LoopbackTls.copy(idleBytes, tls).bytesPerSecond());
      Throughput rawTlsFresh = null;
      for (int i = 0; i < 4; i++) { // the first is the landing's warm-up; then the best of three, as it varies most
        sleep(ORDINARY_MEMORY_SETTLE);
        OffHeap fresh = OffHeap.guestRam(idleBytes);
        Throughput t = measure(idleBytes, () -> LoopbackTls.copy(idleBytes, tls, o.streams(), fresh)
            .bytesPerSecond());
        fresh.release();
        if (i > 0 && (rawTlsFresh == null || t.bytesPerSecond() > rawTlsFresh.bytesPerSecond())) {
          rawTlsFresh = t;
        }
      }
      Throughput rawAgain = measure(idleBytes, () -> LoopbackTcp.throughputBytesPerSecond(idleBytes));
      if (rawAgain.bytesPerSecond() > raw.bytesPerSecond()) {
        raw = rawAgain;
      }
      List<Double> loadAverages = List.of(loadBefore, loadAverage());
      List<Cell> cells = new ArrayList<>();
      for (MigrationStrategy s : o.strategies()) {
        for (double ratio : o.rateRatios()) {
          double dirty = ratio * o.linkBytesPerSecond();
          Series m = new Series(agents, spec("m-" + s.name().toLowerCase(Locale.ROOT) + "-" + (int) (ratio * 100),
              o.matrixVmMiB(), dirty), limits(o, o.linkBytesPerSecond()).setAllowPostCopy(s != MigrationStrategy
              .PRE_COPY && s != MigrationStrategy.AUTO_CONVERGE).build()).run(s, o.runs());
          cells.add(new Cell(s.name(), ratio, o.runs(), m.committed, pct(m.totalMs, 50), pct(m.totalMs, 99),
              pct(m.downtimeMs, 50), pct(m.downtimeMs, 99), m.lastProblem));
        }
      }
      return new Result(o, raw, rawTls, tlsStack, rawTlsFresh, idle.throughput(), idleCalls.throughput(),
          idlePlain.throughput(), hugeRows, hugePool, grpc, grpcPlain, loadAverages, pct(idle.downtimeMs, 50),
          pct(idle.downtimeMs, 99), pct(idle.totalMs, 50), cells);
    }
  }

  /** Throughput of one copy of {@code bytes}, and the process' CPU time it took. */
  private static Throughput measure(long bytes, java.util.function.DoubleSupplier copy) {
    long cpu0 = processCpuNanos();
    double bytesPerSecond = copy.getAsDouble();
    return new Throughput(bytesPerSecond, (processCpuNanos() - cpu0) / 1e9 / (bytes / (double) (1L << 30)));
  }

  private static double loadAverage() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static VmSpec spec(String name, int mib, double dirtyBytesPerSecond) {
    VmSpec s = LoopbackAgents.spec(name, mib, dirtyBytesPerSecond / MIB, "uniform");
    return s.toBuilder().setSim(s.getSim().toBuilder().setMemoryTouchedBytes((long) mib << 20)).build();
  }

  private static MigrationLimits.Builder limits(Options o, long bandwidth) {
    return LoopbackAgents.limits().setStreams(o.streams()).setMaxRounds(10).setBandwidthBytesPerSecond(bandwidth);
  }

  /** Repeated migrations of one VM, ping-ponging between the two agents. */
  private static final class Series {
    final LoopbackAgents agents;
    final VmSpec spec;
    final MigrationLimits limits;
    final List<Double> totalMs = new ArrayList<>();
    final List<Double> downtimeMs = new ArrayList<>();
    double ramBytes;
    double totalSecondsSum;
    double cpuSecondsSum;
    int committed;
    String lastProblem = "";
    /** Pause after the VM was defined, before each migration (not counted): see ORDINARY_MEMORY_SETTLE. */
    Duration settleBeforeMigrating = Duration.ZERO;
    /** Guest RAM on reserved huge pages: each migration checks that the pool can hold the destination's copy. */
    boolean onReservedHugePages;
    int runsPoolShort;

    Series(LoopbackAgents agents, VmSpec spec, MigrationLimits limits) {
      this.agents = agents;
      this.spec = spec;
      this.limits = limits;
    }

    Series run(MigrationStrategy strategy, int runs) {
      LoopbackAgents.Host from = agents.src;
      LoopbackAgents.Host to = agents.dst;
      agents.src.hypervisor.define(spec).start();
      for (int i = 0; i < runs; i++) {
        sleep(settleBeforeMigrating);
        if (onReservedHugePages && OffHeap.reservedHugePagesAvailableBytes() < spec.getMemoryBytes()) {
          runsPoolShort++;
        }
        MigrationOutcome o;
        long cpu0 = processCpuNanos();
        try {
          o = agents.migrate(from, agents.request(from, to, spec.getName(), strategy, limits), Duration.ofMinutes(3));
        } catch (Exception e) {
          lastProblem = e.toString();
          continue;
        }
        if (!o.committed()) {
          lastProblem = o.reason();
          continue;
        }
        committed++;
        var st = o.stats();
        double total = st.getTotal().getSeconds() + st.getTotal().getNanos() / 1e9;
        totalMs.add(total * 1000);
        downtimeMs.add((st.getDowntime().getSeconds() + st.getDowntime().getNanos() / 1e9) * 1000);
        ramBytes += st.getBytesRam();
        totalSecondsSum += total;
        cpuSecondsSum += (processCpuNanos() - cpu0) / 1e9;
        LoopbackAgents.Host t = from;
        from = to;
        to = t;
      }
      from.hypervisor.find(spec.getName()).ifPresent(VirtualMachine::destroy);
      return this;
    }

    /** RAM bytes over the summed total times of the committed runs. */
    Throughput throughput() {
      return new Throughput(ramBytes / totalSecondsSum, cpuSecondsSum / (ramBytes / (1L << 30)));
    }
  }

  static double pct(List<Double> values, int p) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(v);
    int rank = (int) Math.ceil(p / 100.0 * v.length) - 1;
    return v[Math.max(0, Math.min(v.length - 1, rank))];
  }

  /**
   * {@code [--quick] [--runs N] [--idle-runs N] [--markdown FILE]}: prints the JSON result; writes the Markdown
   * section to FILE when given.
   */
  public static void main(String[] args) throws IOException {
    Options o = Options.full();
    Path markdown = null;
    List<String> a = List.of(args);
    if (a.contains("--quick")) {
      o = Options.quick();
    }
    for (int i = 0; i < args.length - 1; i++) {
      switch (args[i]) {
        case "--runs" -> o = o.withRuns(o.idleRuns(), Integer.parseInt(args[i + 1]));
        case "--idle-runs" -> o = o.withRuns(Integer.parseInt(args[i + 1]), o.runs());
        case "--markdown" -> markdown = Path.of(args[i + 1]);
        default -> { }
      }
    }
    Result r = run(o);
    System.out.println(r.json());
    if (markdown != null) {
      Files.writeString(markdown, r.markdownSection());
    }
    System.exit(0);
  }
}
