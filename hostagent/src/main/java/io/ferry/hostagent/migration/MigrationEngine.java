package io.ferry.hostagent.migration;

import io.ferry.common.tickets.TicketVerifier;
import io.ferry.common.tls.TlsMaterial;
import io.ferry.hostagent.hypervisor.Hypervisor;
import io.ferry.hostagent.hypervisor.NativeStream;
import io.ferry.v1.MigrateVmRequest;
import io.ferry.v1.MigrationPhase;
import io.ferry.v1.MigrationStats;
import io.ferry.v1.MigrationStatus;
import io.grpc.BindableService;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent's live-migration engine, both roles: {@link #start} runs an outgoing migration ordered by the
 * scheduler (this agent is the source and talks peer-to-peer to the destination agent), and {@link #peerService()}
 * is the {@code MigrationPeer} gRPC service through which other agents migrate VMs here. On construction it removes
 * what interrupted incoming migrations left behind.
 */
public final class MigrationEngine implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MigrationEngine.class);

  private final EngineContext ctx;
  private final IncomingMigrations incoming;
  private final MigrationPeerService peer;
  private final Map<String, Outgoing> outgoing = new ConcurrentHashMap<>();

  /**
   * Ended migrations stay answerable (status, list, idempotent repeats) for this long, and at most
   * {@link #KEEP_ENDED} of them: an agent runs for months, and the scheduler has read a migration's outcome within
   * seconds of its end (an agent restart forgets them all anyway, and the scheduler copes with that).
   */
  static final Duration KEEP_ENDED_FOR = Duration.ofHours(1);
  static final int KEEP_ENDED = 1000;

  private record Outgoing(MigrationProgress progress, OutgoingMigration source, long totalBytes) {}

  /**
   * @param hostName this host's name as the scheduler and tickets know it
   * @param advertisedEndpoint host:port where this agent serves {@code MigrationPeer} (destinations call back here
   *     for post-copy page faults); a supplier so a server bound to port 0 can tell it once started
   * @param hypervisor the host's driver
   * @param tls the agent's mTLS material (the same as its gRPC server)
   * @param tickets verifies the leader's tickets for incoming migrations
   * @param meters where the migration metrics are registered
   * @param clock wall clock (timestamps in statuses)
   * @param settings engine tuning; {@link MigrationSettings#defaults()} in production
   */
  public MigrationEngine(String hostName, Supplier<String> advertisedEndpoint, Hypervisor hypervisor,
                         TlsMaterial tls, TicketVerifier tickets, MeterRegistry meters, Clock clock,
                         MigrationSettings settings) {
    this(hostName, advertisedEndpoint, hypervisor, tls, tickets, meters, clock, settings, null);
  }

  /**
   * @param stateDir where the engine records the migrations whose VM it paused for the switchover, so that after
   *     a crash it settles them with their destinations (for hypervisors whose VMs outlive the agent); null: none
   */
  public MigrationEngine(String hostName, Supplier<String> advertisedEndpoint, Hypervisor hypervisor,
                         TlsMaterial tls, TicketVerifier tickets, MeterRegistry meters, Clock clock,
                         MigrationSettings settings, java.nio.file.Path stateDir) {
    AtomicInteger threads = new AtomicInteger();
    ExecutorService pool = Executors.newCachedThreadPool(r -> daemon(r, "migration-" + hostName + "-"
        + threads.incrementAndGet()));
    ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> daemon(r,
        "migration-timers-" + hostName));
    this.ctx = new EngineContext(hostName, advertisedEndpoint, hypervisor, tls, settings, clock, pool, timers,
        new MigrationMetrics(meters), new ConcurrentHashMap<>(),
        new InDoubtMigrations(hostName, tls, settings.rpcTimeout(), stateDir),
        new DataPlane(hostName, tls, advertisedEndpoint, settings.dataChannel(), settings.incomingIdleTimeout()));
    List<String> cleaned = hypervisor.discardIncomingLeftovers();
    if (!cleaned.isEmpty()) {
      log.info("{}: removed leftovers of interrupted incoming migrations: {}", hostName, cleaned);
    }
    this.incoming = new IncomingMigrations(ctx, tickets);
    this.peer = new MigrationPeerService(ctx, incoming);
    ctx.data().serveWith(incoming, peer::transferReceiver);
    for (MigrateVmRequest r : ctx.inDoubt().left()) {
      log.warn("{}: migration {} of VM {} to {} was in its switchover when the previous agent process stopped:"
          + " settling it with {}", hostName, r.getMigrationId(), r.getVm(), r.getDestinationHost(),
          r.getDestinationHost());
      MigrationProgress progress = new MigrationProgress(r, hostName, clock, settings.ticker(), ctx.metrics());
      progress.phase(MigrationPhase.SWITCHOVER, "agent restarted during the switchover: settling");
      SourceMigration source = new SourceMigration(ctx, r, progress);
      outgoing.put(r.getMigrationId(), new Outgoing(progress, source, 0));
      pool.execute(source::settleAfterRestart);
    }
  }

  /**
   * Starts listening for incoming transfer streams on the data channel, if the settings offer it, and says where
   * sources connect; the agent calls this at start so that a data channel that cannot listen stops it there.
   *
   * @throws IllegalStateException when it cannot listen where the settings say
   */
  public Optional<String> startDataChannel() {
    return ctx.data().endpoint();
  }

  /** The {@code MigrationPeer} service to register on the agent's gRPC server. */
  public BindableService peerService() {
    return peer;
  }

  /**
   * Starts an outgoing migration and returns at once with its status (phase PLANNED, or FAILED when the request is
   * unusable). Repeating a request id that is known returns that migration's status (idempotent).
   */
  public MigrationStatus start(MigrateVmRequest request) {
    Outgoing known = outgoing.get(request.getMigrationId());
    if (known != null) {
      return status(known);
    }
    MigrationProgress progress = new MigrationProgress(request, ctx.hostName(), ctx.clock(), ctx.settings().ticker(),
        ctx.metrics());
    String problem = validate(request);
    long totalBytes = ctx.hypervisor().find(request.getVm()).map(vm -> vm.spec().getMemoryBytes()
        + vm.spec().getDisksList().stream().mapToLong(d -> d.getSizeBytes()).sum()).orElse(0L);
    boolean nativeStream = ctx.hypervisor().find(request.getVm())
        .map(vm -> vm.migrationSupport() instanceof NativeStream).orElse(false);
    OutgoingMigration source = nativeStream ? new NativeSourceMigration(ctx, request, progress)
        : new SourceMigration(ctx, request, progress);
    Outgoing o = new Outgoing(progress, source, totalBytes);
    forgetOldEnded();
    if (outgoing.putIfAbsent(request.getMigrationId(), o) != null) {
      return status(outgoing.get(request.getMigrationId()));
    }
    ctx.metrics().started();
    if (problem != null) {
      progress.finish(MigrationOutcome.failed(problem, MigrationStats.getDefaultInstance()),
          MigrationStats.getDefaultInstance());
    } else {
      ctx.pool().execute(source);
    }
    return status(o);
  }

  /** Drops ended migrations older than {@link #KEEP_ENDED_FOR}, and the oldest beyond {@link #KEEP_ENDED}. */
  private void forgetOldEnded() {
    long now = ctx.settings().ticker().getAsLong();
    List<Map.Entry<String, Outgoing>> ended = outgoing.entrySet().stream()
        .filter(e -> e.getValue().progress().outcome().isDone())
        .sorted(Comparator.comparingLong(e -> e.getValue().progress().endNanos())).toList();
    for (int i = 0; i < ended.size(); i++) {
      Map.Entry<String, Outgoing> e = ended.get(i);
      if (i < ended.size() - KEEP_ENDED || now - e.getValue().progress().endNanos() > KEEP_ENDED_FOR.toNanos()) {
        outgoing.remove(e.getKey(), e.getValue());
      }
    }
  }

  private String validate(MigrateVmRequest r) {
    if (r.getMigrationId().isBlank() || r.getVm().isBlank() || r.getDestinationEndpoint().isBlank()) {
      return "migration request needs migration_id, vm and destination_endpoint";
    }
    if (r.getStrategy() == io.ferry.v1.MigrationStrategy.POST_COPY && !r.getLimits().getAllowPostCopy()) {
      return "post-copy requested but limits.allow_post_copy is false: post-copy makes the VM depend on both hosts"
          + " until it completes, so policy must allow it";
    }
    if (!r.getTicket().getMigrationId().equals(r.getMigrationId()) || !r.getTicket().getVm().equals(r.getVm())) {
      return "ticket is for migration " + r.getTicket().getMigrationId() + " of VM " + r.getTicket().getVm()
          + ", request is " + r.getMigrationId() + " of " + r.getVm();
    }
    return null;
  }

  /** Asks a migration to stop; honoured at the next safe point before the destination runs the VM. */
  public Optional<MigrationStatus> cancel(String migrationId, String reason) {
    Outgoing o = outgoing.get(migrationId);
    if (o == null) {
      return Optional.empty();
    }
    o.progress().cancel(reason);
    return Optional.of(status(o));
  }

  public Optional<MigrationStatus> status(String migrationId) {
    return Optional.ofNullable(outgoing.get(migrationId)).map(this::status);
  }

  /** Every outgoing migration this engine knows, newest first. */
  public List<MigrationStatus> list() {
    return outgoing.values().stream().map(this::status)
        .sorted(Comparator.comparing((MigrationStatus s) -> s.getUpdatedAt().getSeconds())
            .thenComparing(s -> s.getUpdatedAt().getNanos()).reversed()).toList();
  }

  /** Completes when the migration ends (for tests, benchmarks and the agent's journal updates). */
  public Optional<CompletableFuture<MigrationOutcome>> outcome(String migrationId) {
    return Optional.ofNullable(outgoing.get(migrationId)).map(o -> o.progress().outcome());
  }

  /** Whether any outgoing migration is still running. */
  public boolean busy() {
    return outgoing.values().stream().anyMatch(o -> !o.progress().outcome().isDone());
  }

  private MigrationStatus status(Outgoing o) {
    return o.progress().status(o.totalBytes(), o.source().liveStats());
  }

  @Override
  public void close() {
    outgoing.values().forEach(o -> {
      if (o.progress().phase() != MigrationPhase.COMMITTED) {
        o.progress().cancel("agent shutting down");
      }
    });
    ctx.inDoubt().close();
    incoming.close();
    ctx.data().close();
    ctx.timers().shutdownNow();
    ctx.pool().shutdown();
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
