package io.ferry.benchmarks.ingest;

import com.google.protobuf.Timestamp;
import io.ferry.common.zk.EmbeddedZooKeeper;
import io.ferry.v1.CpuSignal;
import io.ferry.v1.HostFacts;
import io.ferry.v1.HostReport;
import io.ferry.v1.HostSignals;
import io.ferry.v1.IngestGrpc;
import io.ferry.v1.Inventory;
import io.ferry.v1.MemorySignal;
import io.ferry.v1.ReportAck;
import io.ferry.v1.SignalStatus;
import io.ferry.v1.TemperatureSignal;
import io.ferry.v1.VmState;
import io.ferry.v1.VmUsage;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How many HostReports per second one leader absorbs, and the CPU it spends doing so.
 *
 * <p>The leader runs in its own JVM (plain text, to measure ingest rather than TLS); this process simulates many
 * agents: one report stream per host over a few channels, each host sending a report (signals + 10 VMs) every
 * interval. The leader's CPU comes from /proc/PID/stat over the measuring window. Target: 10,000 hosts reporting
 * every 5 s (2,000 reports/s) using under one core.
 */
public final class IngestBenchmark {
  private static final int VMS_PER_HOST = 10;

  /** One load level and what the leader did under it. */
  public record Level(int hosts, double intervalSeconds, double offeredPerSecond, double ackedPerSecond,
                      double leaderCores) {
    String row() {
      return String.format(Locale.ROOT, "| %d | %.1f s | %.0f | %.0f | %.2f |", hosts, intervalSeconds,
          offeredPerSecond, ackedPerSecond, leaderCores);
    }
  }

  public record Result(List<Level> levels) {
    public String markdownSection() {
      StringBuilder b = new StringBuilder("## Ingest: host reports absorbed by one leader\n\n")
          .append("The leader runs alone in its own JVM on an embedded ZooKeeper (plain text: this measures ingest,\n")
          .append("not TLS). One load-generator process opens one `Ingest.Report` stream per simulated host (spread\n")
          .append("over 16 channels); each host sends a full inventory first, then a report with signals and ")
          .append(VMS_PER_HOST).append(" VMs every interval.\n")
          .append("Leader CPU is its process' user+system time over the window divided by the window (1.00 = one core).\n")
          .append("Target: 10,000 hosts every 5 s (2,000 reports/s) under one core.\n\n")
          .append("| hosts | interval | offered reports/s | acked reports/s | leader CPU (cores) |\n")
          .append("|---|---|---|---|---|\n");
      levels.forEach(l -> b.append(l.row()).append('\n'));
      return b.toString();
    }

    public String json() {
      StringBuilder b = new StringBuilder("{\"benchmark\":\"ingest\",\"levels\":[");
      for (int i = 0; i < levels.size(); i++) {
        Level l = levels.get(i);
        b.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT,
            "{\"hosts\":%d,\"intervalSeconds\":%.1f,\"offeredPerSecond\":%.1f,\"ackedPerSecond\":%.1f,"
                + "\"leaderCores\":%.3f}", l.hosts, l.intervalSeconds, l.offeredPerSecond, l.ackedPerSecond,
            l.leaderCores));
      }
      return b.append("]}").toString();
    }
  }

  private IngestBenchmark() {}

  public static Result run(int[] hostCounts, double intervalSeconds, int measureSeconds) throws Exception {
    Path dir = Files.createTempDirectory("ferry-ingest-bench");
    try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start("127.0.0.1", 0, dir, 500)) {
      Process leader = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx2g", "-cp", System.getProperty("java.class.path"), LeaderProcess.class.getName(),
          zk.connectString(), "bench").redirectError(ProcessBuilder.Redirect.DISCARD).start();
      try {
        String admin = awaitAdmin(leader);
        List<Level> levels = new ArrayList<>();
        for (int hosts : hostCounts) {
          levels.add(level(admin, leader.pid(), hosts, intervalSeconds, measureSeconds));
        }
        return new Result(levels);
      } finally {
        leader.destroyForcibly();
        leader.waitFor();
      }
    }
  }

  private static String awaitAdmin(Process leader) throws IOException {
    BufferedReader r = new BufferedReader(new InputStreamReader(leader.getInputStream(), StandardCharsets.UTF_8));
    for (String line; (line = r.readLine()) != null; ) {
      if (line.startsWith("admin=")) {
        return line.substring("admin=".length());
      }
    }
    throw new IllegalStateException("the leader process ended before it led");
  }

  private static Level level(String admin, long leaderPid, int hosts, double intervalSeconds, int measureSeconds)
      throws Exception {
    List<ManagedChannel> channels = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      channels.add(Grpc.newChannelBuilder(admin, InsecureChannelCredentials.create()).build());
    }
    AtomicLong acked = new AtomicLong();
    List<StreamObserver<HostReport>> streams = new ArrayList<>();
    for (int h = 0; h < hosts; h++) {
      StreamObserver<HostReport> s = IngestGrpc.newStub(channels.get(h % channels.size()))
          .report(new StreamObserver<>() {
            @Override public void onNext(ReportAck value) { acked.incrementAndGet(); }
            @Override public void onError(Throwable t) {}
            @Override public void onCompleted() {}
          });
      String name = "bench-h" + h;
      synchronized (s) {
        s.onNext(report(name, 0).toBuilder().setInventory(Inventory.newBuilder()
            .setFacts(HostFacts.newBuilder().setName(name).setCpuCores(32).setMemoryBytes(256L << 30))
            .addAllVms(report(name, 0).getVmsList())).build());
      }
      streams.add(s);
    }
    ScheduledExecutorService senders = Executors.newScheduledThreadPool(2);
    AtomicLong sent = new AtomicLong();
    long periodMicros = (long) (intervalSeconds * 1e6 / hosts);
    AtomicLong next = new AtomicLong();
    senders.scheduleAtFixedRate(() -> {
      int h = (int) (next.getAndIncrement() % hosts);
      StreamObserver<HostReport> s = streams.get(h);
      synchronized (s) {
        s.onNext(report("bench-h" + h, sent.incrementAndGet()));
      }
    }, 0, Math.max(1, periodMicros), TimeUnit.MICROSECONDS);
    Thread.sleep(3_000); // warm-up: every stream open, JIT warm
    long cpu0 = cpuTicks(leaderPid);
    long acked0 = acked.get();
    long sent0 = sent.get();
    long t0 = System.nanoTime();
    Thread.sleep(measureSeconds * 1000L);
    long cpu1 = cpuTicks(leaderPid);
    double seconds = (System.nanoTime() - t0) / 1e9;
    double offered = (sent.get() - sent0) / seconds;
    double ackRate = (acked.get() - acked0) / seconds;
    senders.shutdownNow();
    for (StreamObserver<HostReport> s : streams) {
      synchronized (s) {
        s.onCompleted();
      }
    }
    channels.forEach(ManagedChannel::shutdownNow);
    return new Level(hosts, intervalSeconds, offered, ackRate, (cpu1 - cpu0) / 100.0 / seconds);
  }

  private static HostReport report(String host, long seq) {
    SignalStatus ok = SignalStatus.newBuilder().setAvailable(true).build();
    HostReport.Builder b = HostReport.newBuilder().setHost(host).setSequence(seq)
        .setSentAt(Timestamp.newBuilder().setSeconds(System.currentTimeMillis() / 1000))
        .setSignals(HostSignals.newBuilder()
            .setCpu(CpuSignal.newBuilder().setStatus(ok).setUtilizationRatio(0.4).setCores(32))
            .setMemory(MemorySignal.newBuilder().setStatus(ok).setTotalBytes(256L << 30).setUsedBytes(100L << 30))
            .setTemperature(TemperatureSignal.newBuilder().setStatus(ok).setHeadlineCelsius(55)));
    for (int v = 0; v < VMS_PER_HOST; v++) {
      b.addVms(VmUsage.newBuilder().setName(host + "-vm" + v).setState(VmState.VM_RUNNING).setVcpus(4)
          .setMemoryBytes(8L << 30).setCpuUsageCores(1.2).setMemoryUsedBytes(6L << 30));
    }
    return b.build();
  }

  /** utime + stime of a process, in clock ticks (100 per second on Linux). */
  private static long cpuTicks(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  public static void main(String[] args) throws Exception {
    Result r = run(new int[] {1_000, 10_000}, 5.0, 20);
    System.out.println(r.markdownSection());
    System.out.println(r.json());
  }
}
