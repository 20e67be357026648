package io.ferry.hostagent.agent;

import com.google.protobuf.Timestamp;
import io.ferry.common.cluster.ClusterDirectory;
import io.ferry.common.cluster.SchedulerEndpoint;
import io.ferry.common.grpc.GrpcServers;
import io.ferry.common.tls.TlsMaterial;
import io.ferry.v1.HostReport;
import io.ferry.v1.IngestGrpc;
import io.ferry.v1.ReportAck;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams this host's reports to whichever scheduler replica leads now.
 *
 * <p>Finds the leader through ZooKeeper (and follows it when it changes), sends a full inventory first on every
 * (re)connect, reconnects with exponential backoff, and keeps a bounded buffer of reports while no leader is
 * reachable (oldest dropped first). All state is owned by one thread.
 */
public final class LeaderReporter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LeaderReporter.class);
  static final int BUFFER_CAPACITY = 60;
  private static final Duration MIN_BACKOFF = Duration.ofMillis(250);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

  private final String host;
  private final ClusterDirectory directory;
  private final TlsMaterial tls;
  private final java.util.function.LongConsumer leaderEpoch;
  private final Supplier<HostReport.Builder> reports;
  private final Supplier<io.ferry.v1.Inventory> inventory;
  private final Duration interval;
  private final Clock clock;
  private final ScheduledExecutorService executor;
  private final Deque<HostReport> buffer = new ArrayDeque<>();

  private ManagedChannel channel;
  private String target;
  private StreamObserver<HostReport> stream;
  private long sequence;
  private boolean inventoryRequested = true;
  private Duration backoff = MIN_BACKOFF;
  private Instant nextAttempt = Instant.EPOCH;
  private volatile boolean connected;
  private volatile String lastProblem = "";

  /**
   * @param leaderEpoch told the epoch of every ack (feeds the agent's fence)
   * @param reports   builds a report with the current signals, VMs, power and mode (no inventory)
   * @param inventory builds a full inventory
   */
  public LeaderReporter(String host, ClusterDirectory directory, TlsMaterial tls,
                        java.util.function.LongConsumer leaderEpoch, Supplier<HostReport.Builder> reports, Supplier<io.ferry.v1.Inventory> inventory,
                        Duration interval, Clock clock) {
    this.host = host;
    this.directory = directory;
    this.tls = tls;
    this.leaderEpoch = leaderEpoch;
    this.reports = reports;
    this.inventory = inventory;
    this.interval = interval;
    this.clock = clock;
    this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "agent-" + host + "-reporter");
      t.setDaemon(true);
      return t;
    });
  }

  public void start() {
    directory.watchLeader(() -> executor.execute(this::followLeader));
    executor.scheduleWithFixedDelay(this::tickSafely, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Sends a report now instead of at the next interval (a VM started or stopped: the leader should know). */
  public void reportNow() {
    try {
      executor.execute(this::tickSafely);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      log.debug("host {}: not reporting, the reporter is closed", host);
    }
  }

  public boolean connected() {
    return connected;
  }

  public String target() {
    return target;
  }

  private void tickSafely() {
    try {
      tick();
    } catch (RuntimeException e) {
      log.warn("host {}: report failed: {}", host, e.toString());
    }
  }

  private void tick() {
    HostReport.Builder b = reports.get().setHost(host).setSequence(++sequence).setSentAt(now());
    if (stream == null) {
      buffer(b.setReplayed(true).build());
      if (!clock.instant().isBefore(nextAttempt)) {
        connect();
      }
      return;
    }
    if (inventoryRequested) {
      b.setInventory(inventory.get());
      inventoryRequested = false;
    }
    stream.onNext(b.build());
  }

  private void buffer(HostReport r) {
    if (buffer.size() >= BUFFER_CAPACITY) {
      buffer.removeFirst();
    }
    buffer.addLast(r);
  }

  private void followLeader() {
    Optional<SchedulerEndpoint> leader = leaderOrEmpty();
    if (stream != null && (leader.isEmpty() || !leader.get().adminEndpoint().equals(target))) {
      log.info("host {}: leader changed to {}: reconnecting", host,
          leader.map(SchedulerEndpoint::name).orElse("nobody yet"));
      disconnect();
      nextAttempt = Instant.EPOCH;
      backoff = MIN_BACKOFF;
    }
    if (stream == null && leader.isPresent()) {
      connect();
    }
  }

  private Optional<SchedulerEndpoint> leaderOrEmpty() {
    try {
      return directory.leader();
    } catch (RuntimeException e) {
      problem("ZooKeeper unreachable (" + e.getMessage() + ")");
      return Optional.empty();
    }
  }

  private void connect() {
    Optional<SchedulerEndpoint> leader = leaderOrEmpty();
    if (leader.isEmpty()) {
      problem("no scheduler leader elected yet");
      scheduleRetry();
      return;
    }
    target = leader.get().adminEndpoint();
    channel = GrpcServers.channel(target, tls);
    ManagedChannel mine = channel;
    stream = IngestGrpc.newStub(channel).report(new StreamObserver<>() {
      @Override
      public void onNext(ReportAck ack) {
        leaderEpoch.accept(ack.getEpoch());
        if (ack.getResendInventory()) {
          executor.execute(() -> inventoryRequested = true);
        }
      }

      @Override
      public void onError(Throwable t) {
        executor.execute(() -> lost(mine, Status.fromThrowable(t).getDescription()));
      }

      @Override
      public void onCompleted() {
        executor.execute(() -> lost(mine, "leader closed the stream"));
      }
    });
    HostReport.Builder first = reports.get().setHost(host).setSequence(++sequence).setSentAt(now())
        .setInventory(inventory.get());
    stream.onNext(first.build());
    inventoryRequested = false;
    while (!buffer.isEmpty()) {
      stream.onNext(buffer.removeFirst());
    }
    connected = true;
    backoff = MIN_BACKOFF;
    if (!lastProblem.isEmpty()) {
      log.info("host {}: reporting to leader {} at {}", host, leader.get().name(), target);
    }
    lastProblem = "";
  }

  private void lost(ManagedChannel which, String why) {
    if (which != channel) {
      return; // an old stream we already replaced
    }
    disconnect();
    problem("lost the stream to " + target + ": " + why);
    scheduleRetry();
  }

  private void disconnect() {
    connected = false;
    if (stream != null) {
      try {
        stream.onCompleted();
      } catch (RuntimeException ignored) {
        // already broken
      }
    }
    stream = null;
    GrpcServers.shutdown(channel);
    channel = null;
  }

  private void scheduleRetry() {
    long jitter = ThreadLocalRandom.current().nextLong(backoff.toMillis() / 2 + 1);
    nextAttempt = clock.instant().plus(backoff).plusMillis(jitter);
    backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
    executor.schedule(() -> {
      if (stream == null && !clock.instant().isBefore(nextAttempt)) {
        connect();
      }
    }, nextAttempt.toEpochMilli() - clock.millis(), TimeUnit.MILLISECONDS);
  }

  private void problem(String what) {
    if (!what.equals(lastProblem)) {
      log.warn("host {}: {}; buffering reports ({} kept) and retrying", host, what, buffer.size());
      lastProblem = what;
    }
  }

  private Timestamp now() {
    Instant i = clock.instant();
    return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
  }

  @Override
  public void close() {
    executor.execute(this::disconnect);
    executor.shutdown();
    try {
      executor.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    executor.shutdownNow();
  }
}
