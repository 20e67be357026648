package io.ferry.scheduler.executor;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.ferry.scheduler.journal.JournalEntry;
import io.ferry.scheduler.journal.MigrationJournal;
import io.ferry.scheduler.leadership.Leadership;
import io.ferry.scheduler.loop.SchedulerLoop;
import io.ferry.scheduler.state.ClusterState;
import io.ferry.scheduler.state.HostState;
import io.ferry.v1.CancelMigrationRequest;
import io.ferry.v1.GetMigrationRequest;
import io.ferry.v1.MigrateVmRequest;
import io.ferry.v1.MigrationPhase;
import io.ferry.v1.MigrationRecord;
import io.ferry.v1.MigrationStatus;
import io.ferry.v1.MigrationTicket;
import io.ferry.v1.RequestMeta;
import io.ferry.v1.VmUsage;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out migrations as journaled state machines:
 * {@code PLANNED -> PREPARED -> TRANSFERRING -> SWITCHOVER -> COMMITTED | ROLLED_BACK | FAILED}.
 *
 * <p>Runs on the scheduler loop only. Agent calls are asynchronous; their answers are handed back to the loop.
 * The source agent drives each migration peer-to-peer; the executor dispatches within the concurrency limits,
 * follows progress, cancels a migration that stops making progress, retries transient dispatch failures with
 * backoff, and after a change of leader reconciles every unfinished journal entry with what the agents report.
 * Commands go out only while this replica leads, each with its epoch.
 */
public final class MigrationExecutor {
  private static final Logger log = LoggerFactory.getLogger(MigrationExecutor.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Duration TICKET_VALIDITY = Duration.ofMinutes(10);

  private final ClusterState state;
  private final Leadership leadership;
  private final SchedulerLoop loop;
  private final AgentClients agents;
  private final TicketSigner signer;
  private final Clock clock;
  private final String issuer;
  private final ExecutorMetrics metrics;
  private volatile ExecutorLimits limits;
  private MigrationJournal journal;

  /** Unfinished migrations of this term, by id, in creation order. */
  private final Map<String, Tracked> tracked = new LinkedHashMap<>();
  /** Limits of this term's migrations until dispatch (the journal keeps the record, not the request's limits). */
  private final Map<String, io.ferry.v1.MigrationLimits> pendingLimits = new HashMap<>();
  /** Recently finished ones, for status. */
  private final List<MigrationRecord> finished = new ArrayList<>();
  private final Map<String, Instant> lastMigratedAt = new HashMap<>();
  /** Failed or rolled-back migrations hold off planned moves of the VM a while (no retry storms). */
  private final Map<String, Instant> lastFailedAt = new HashMap<>();
  private static final Duration FAILURE_BACKOFF = Duration.ofSeconds(60);

  /** Per-migration bookkeeping that lives only in this leader's memory. */
  private static final class Tracked {
    JournalEntry entry;
    boolean callInFlight;
    /** Sent to the source agent (in this term or, for PLANNED entries with attempts, by an earlier leader). */
    boolean dispatched;
    Instant nextAttemptAt = Instant.EPOCH;
    /** When the last call to an agent went out; while a retry waits for nextAttemptAt, the call that failed. */
    Instant lastCallAt;
    long lastRemaining = Long.MAX_VALUE;
    Instant lastProgressAt;
    boolean cancelRequested;
    String cancelReason = "";

    Tracked(JournalEntry entry, Instant now) {
      this.entry = entry;
      this.lastProgressAt = now;
      this.dispatched = entry.phase() != MigrationPhase.PLANNED || entry.record().getAttempts() > 0;
    }

    MigrationStatus status() {
      return entry.record().getStatus();
    }
  }

  public MigrationExecutor(ClusterState state, Leadership leadership, SchedulerLoop loop, AgentClients agents,
                           TicketSigner signer, ExecutorLimits limits, Clock clock, String issuer,
                           MeterRegistry registry) {
    this.state = state;
    this.leadership = leadership;
    this.loop = loop;
    this.agents = agents;
    this.signer = signer;
    this.limits = limits;
    this.clock = clock;
    this.issuer = issuer;
    this.metrics = new ExecutorMetrics(registry, () -> tracked.size(), this::queued);
  }

  public void limits(ExecutorLimits limits) {
    this.limits = limits;
  }

  /** A new term: load every unfinished journal entry and follow it (dispatch, or find out how it ended). */
  public void onTermStart(MigrationJournal journal) {
    this.journal = journal;
    tracked.clear();
    finished.clear();
    Instant now = clock.instant();
    for (JournalEntry e : journal.list()) {
      if (e.isFinal()) {
        finished.add(e.record());
      } else {
        tracked.put(e.id(), new Tracked(e, now));
        log.info("migration {} of {} ({} -> {}) was {} when the previous leader stopped: following it",
            e.id(), e.record().getStatus().getVm(), e.record().getStatus().getSourceHost(),
            e.record().getStatus().getDestinationHost(), e.phase());
      }
    }
    trimFinished();
  }

  public void onTermEnd() {
    tracked.clear();
    journal = null;
  }

  // ---------------------------------------------------------------- requests

  /** Validates and journals a migration. Nothing is sent to an agent here: {@link #tick} dispatches. */
  public SubmitResult submit(MigrationRequest req) {
    if (journal == null || !leadership.isLeader()) {
      return SubmitResult.rejected(Status.Code.UNAVAILABLE, "this replica is not the leader");
    }
    if (!req.requestId().isEmpty()) {
      Optional<String> earlier = journal.migrationForRequest(req.requestId());
      if (earlier.isPresent()) {
        Optional<JournalEntry> e = journal.get(earlier.get());
        if (e.isPresent()) {
          return new SubmitResult.Accepted(e.get().record(), true);
        }
      }
    }
    Optional<HostState> source = state.hostOf(req.vm());
    if (source.isEmpty()) {
      return SubmitResult.rejected(Status.Code.NOT_FOUND, "VM " + req.vm() + " is not running on any known host");
    }
    VmUsage vm = state.vm(req.vm()).orElseThrow();
    Instant failed = lastFailedAt.get(req.vm());
    if (failed != null && !"manual".equals(req.reason())
        && failed.plus(FAILURE_BACKOFF).isAfter(clock.instant())) {
      return SubmitResult.rejected(Status.Code.UNAVAILABLE, "VM " + req.vm() + "'s last migration did not complete"
          + " at " + failed + "; the planner tries it again after " + FAILURE_BACKOFF.toSeconds() + " s");
    }
    Instant moved = lastMigratedAt.get(req.vm());
    if (moved != null && !moved.isBefore(source.get().lastReportAt())) {
      // The host's last report predates the VM's move: where the VM runs is not known yet.
      return SubmitResult.rejected(Status.Code.UNAVAILABLE, "VM " + req.vm() + " has just moved; waiting for the"
          + " next report of its host before planning another move");
    }
    for (Tracked t : tracked.values()) {
      if (t.status().getVm().equals(req.vm())) {
        return SubmitResult.rejected(Status.Code.FAILED_PRECONDITION, "VM " + req.vm() + " is already migrating ("
            + t.entry.id() + ", " + t.status().getSourceHost() + " -> " + t.status().getDestinationHost() + ", "
            + t.entry.phase() + ")");
      }
    }
    HostState destination;
    if (req.destination() == null || req.destination().isEmpty()) {
      Optional<HostState> chosen = Placement.choose(state.hosts(), source.get(), vm, reservedBytes());
      if (chosen.isEmpty()) {
        return SubmitResult.rejected(Status.Code.RESOURCE_EXHAUSTED, "no host can take VM " + req.vm() + " ("
            + (vm.getMemoryBytes() >> 20) + " MiB): every other host is full, not in normal mode, or disconnected");
      }
      destination = chosen.get();
    } else {
      Optional<HostState> named = state.host(req.destination());
      if (named.isEmpty()) {
        return SubmitResult.rejected(Status.Code.NOT_FOUND, "host " + req.destination() + " is unknown");
      }
      destination = named.get();
      if (destination.name().equals(source.get().name())) {
        return SubmitResult.rejected(Status.Code.INVALID_ARGUMENT, "VM " + req.vm() + " already runs on "
            + destination.name());
      }
      Optional<String> refusal = Placement.refuse(destination, vm,
          reservedBytes().getOrDefault(destination.name(), 0L));
      if (refusal.isPresent()) {
        return SubmitResult.rejected(Status.Code.FAILED_PRECONDITION, refusal.get());
      }
    }
    Instant now = clock.instant();
    String id = "m-" + UUID.randomUUID().toString().substring(0, 8);
    MigrationRecord record = MigrationRecord.newBuilder()
        .setStatus(MigrationStatus.newBuilder().setMigrationId(id).setVm(req.vm())
            .setSourceHost(source.get().name()).setDestinationHost(destination.name())
            .setPhase(MigrationPhase.PLANNED).setStrategy(req.strategy()).setTotalBytes(vm.getMemoryBytes())
            .setRemainingBytes(vm.getMemoryBytes()).setUpdatedAt(ts(now)).setMessage("planned"))
        .setReason(req.reason()).setExplanation(req.explanation()).setUrgent(req.urgent())
        .setCreatedAt(ts(now)).setRequestId(req.requestId()).setEpoch(leadership.epoch())
        .build();
    MigrationJournal.Created created = journal.create(record.toBuilder()
        .setStatus(record.getStatus().toBuilder()).build());
    if (created.duplicate()) {
      return new SubmitResult.Accepted(created.entry().record(), true);
    }
    tracked.put(id, new Tracked(created.entry(), now));
    pendingLimits.put(id, req.limits());
    metrics.started(req.reason());
    log.info("planned migration {}: VM {} {} -> {} ({}{}): {}", id, req.vm(), source.get().name(), destination.name(),
        req.reason(), req.urgent() ? ", urgent" : "", req.explanation());
    return new SubmitResult.Accepted(record, false);
  }

  /** Cancels a migration: before dispatch it simply ends; after, the source agent rolls it back. */
  public Optional<MigrationRecord> cancel(String id, String reason) {
    Tracked t = tracked.get(id);
    if (t == null) {
      return finished.stream().filter(r -> r.getStatus().getMigrationId().equals(id)).findFirst()
          .or(() -> journal == null ? Optional.empty() : journal.get(id).map(JournalEntry::record));
    }
    if (!t.dispatched && !t.callInFlight) {
      finish(t, MigrationPhase.ROLLED_BACK, "cancelled before it started: " + reason);
      return Optional.of(t.entry.record());
    }
    t.cancelRequested = true;
    t.cancelReason = reason;
    return Optional.of(t.entry.record());
  }

  // ---------------------------------------------------------------- the loop

  /** One executor step: dispatch what the limits allow, poll what is in flight. Called on the loop. */
  public void tick() {
    if (journal == null || !leadership.isLeader()) {
      return;
    }
    Instant now = clock.instant();
    Map<String, Integer> perHost = inFlightPerHost();
    int inFlight = (int) tracked.values().stream().filter(this::occupiesSlot).count();
    for (Tracked t : new ArrayList<>(tracked.values())) {
      if (t.callInFlight) {
        continue;
      }
      MigrationStatus st = t.status();
      if (now.isBefore(t.nextAttemptAt) && sourceReconnectedSinceLastFailure(t)) {
        t.nextAttemptAt = now; // the agent is back: sitting out the rest of its backoff would only delay the move
      }
      if (!t.dispatched) {
        if (now.isBefore(t.nextAttemptAt) || inFlight >= limits.maxConcurrent()
            || perHost.getOrDefault(st.getSourceHost(), 0) >= limits.maxPerHost()
            || perHost.getOrDefault(st.getDestinationHost(), 0) >= limits.maxPerHost()) {
          continue;
        }
        inFlight++;
        perHost.merge(st.getSourceHost(), 1, Integer::sum);
        perHost.merge(st.getDestinationHost(), 1, Integer::sum);
        dispatch(t);
      } else if (t.cancelRequested) {
        sendCancel(t);
      } else if (!now.isBefore(t.nextAttemptAt)) {
        poll(t, now);
      }
    }
  }

  /**
   * Whether the source agent opened a new report stream to this leader after the call that failed last went out:
   * after a partition or a restart the queued call is retried at once, not after a backoff that grew while it was
   * away (a call that timed out after the agent came back counts too).
   */
  private boolean sourceReconnectedSinceLastFailure(Tracked t) {
    Instant sent = t.lastCallAt;
    return sent != null && state.reportingSince(t.status().getSourceHost()).filter(sent::isBefore).isPresent();
  }

  private boolean occupiesSlot(Tracked t) {
    return t.dispatched || t.callInFlight;
  }

  private Map<String, Integer> inFlightPerHost() {
    Map<String, Integer> m = new HashMap<>();
    for (Tracked t : tracked.values()) {
      if (occupiesSlot(t)) {
        m.merge(t.status().getSourceHost(), 1, Integer::sum);
        m.merge(t.status().getDestinationHost(), 1, Integer::sum);
      }
    }
    return m;
  }

  private int queued() {
    return (int) tracked.values().stream().filter(t -> !occupiesSlot(t)).count();
  }

  private void dispatch(Tracked t) {
    MigrationStatus st = t.status();
    Optional<HostState> source = state.host(st.getSourceHost());
    Optional<HostState> destination = state.host(st.getDestinationHost());
    if (source.isEmpty() || destination.isEmpty()) {
      retryLater(t, "source or destination host is not known to this leader yet");
      return;
    }
    // Count the attempt in the journal first, so a new leader knows the agent may have it.
    Optional<JournalEntry> written = journal.update(t.entry, r -> r.toBuilder().setAttempts(r.getAttempts() + 1)
        .setStatus(r.getStatus().toBuilder().setMessage("dispatched to " + st.getSourceHost())
            .setUpdatedAt(ts(clock.instant()))).build());
    if (written.isEmpty()) {
      reread(t);
      return;
    }
    t.entry = written.get();
    t.dispatched = true;
    long epoch = leadership.epoch();
    Instant expires = clock.instant().plus(TICKET_VALIDITY);
    byte[] nonce = new byte[16];
    RANDOM.nextBytes(nonce);
    MigrationTicket ticket = signer.sign(MigrationTicket.newBuilder().setMigrationId(st.getMigrationId())
        .setVm(st.getVm()).setSourceHost(st.getSourceHost()).setDestinationHost(st.getDestinationHost())
        .setEpoch(epoch).setExpiresAt(ts(expires)).setNonce(ByteString.copyFrom(nonce)).build());
    MigrateVmRequest req = MigrateVmRequest.newBuilder()
        .setMeta(meta(st.getMigrationId() + "/dispatch", epoch))
        .setMigrationId(st.getMigrationId()).setVm(st.getVm()).setDestinationHost(st.getDestinationHost())
        .setDestinationEndpoint(destination.get().facts().getAgentEndpoint()).setStrategy(st.getStrategy())
        .setLimits(pendingLimits.getOrDefault(st.getMigrationId(), io.ferry.v1.MigrationLimits.getDefaultInstance()))
        .setTicket(ticket).build();
    if (!leadership.isLeader()) {
      return;
    }
    call(t, agents.stub(source.get().facts().getAgentEndpoint()).migrateVm(req),
        resp -> apply(t, resp.getStatus()),
        err -> dispatchFailed(t, err));
  }

  private void dispatchFailed(Tracked t, Status err) {
    switch (err.getCode()) {
      case UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED ->
        // The agent may or may not have it: polling finds out; MigrateVm is idempotent per migration id.
        retryLater(t, "source agent unreachable: " + err.getDescription());
      default -> finish(t, MigrationPhase.FAILED, "refused by source " + t.status().getSourceHost() + ": "
          + err.getCode() + " " + err.getDescription());
    }
  }

  private void poll(Tracked t, Instant now) {
    Optional<HostState> source = state.host(t.status().getSourceHost());
    if (source.isEmpty()) {
      return;
    }
    call(t, agents.stub(source.get().facts().getAgentEndpoint())
            .getMigration(GetMigrationRequest.newBuilder().setMigrationId(t.entry.id()).build()),
        st -> {
          apply(t, st);
          checkProgress(t, st);
        },
        err -> {
          if (err.getCode() == Status.Code.NOT_FOUND) {
            reconcileFromInventory(t);
          } else if (t.entry.phase() == MigrationPhase.PLANNED) {
            redispatchIfAttemptsLeft(t, err);
          } else {
            retryLater(t, "source agent unreachable: " + err.getDescription());
            reconcileFromInventory(t);
          }
        });
  }

  private void redispatchIfAttemptsLeft(Tracked t, Status err) {
    if (t.entry.record().getAttempts() >= limits.maxAttempts()) {
      finish(t, MigrationPhase.FAILED, "source agent unreachable after " + t.entry.record().getAttempts()
          + " attempts: " + err.getDescription() + " (VM left where it was)");
      return;
    }
    retryLater(t, "source agent unreachable: " + err.getDescription());
    // Dispatch again once the backoff passes (the agent ignores a migration id it already has).
    t.dispatched = false;
  }

  /** The source does not know the migration (restarted, or never got it): the agents' inventories decide. */
  private void reconcileFromInventory(Tracked t) {
    MigrationStatus st = t.status();
    Optional<HostState> now = state.hostOf(st.getVm());
    if (now.isPresent() && now.get().name().equals(st.getDestinationHost())) {
      finish(t, MigrationPhase.COMMITTED, "VM runs on " + st.getDestinationHost() + " (found by reconciliation)");
    } else if (now.isPresent() && now.get().name().equals(st.getSourceHost())) {
      if (t.entry.phase() == MigrationPhase.PLANNED && t.entry.record().getAttempts() < limits.maxAttempts()) {
        t.dispatched = false;
      } else {
        finish(t, MigrationPhase.ROLLED_BACK, "source " + st.getSourceHost() + " no longer runs the migration;"
            + " VM still runs there (found by reconciliation)");
      }
    }
  }

  private void checkProgress(Tracked t, MigrationStatus st) {
    if (JournalEntry.isFinal(st.getPhase()) || st.getPhase() == MigrationPhase.PLANNED) {
      return;
    }
    Instant now = clock.instant();
    if (st.getRemainingBytes() < t.lastRemaining || st.getPhase() == MigrationPhase.SWITCHOVER) {
      t.lastRemaining = st.getRemainingBytes();
      t.lastProgressAt = now;
    } else if (Duration.between(t.lastProgressAt, now).compareTo(limits.stallTimeout()) > 0
        && !t.cancelRequested) {
      log.warn("migration {} of {} made no progress for {} s ({} bytes remaining): cancelling it; the VM stays on {}",
          t.entry.id(), st.getVm(), limits.stallTimeout().toSeconds(), st.getRemainingBytes(), st.getSourceHost());
      t.cancelRequested = true;
      t.cancelReason = "no progress for " + limits.stallTimeout().toSeconds() + " s";
    }
  }

  private void sendCancel(Tracked t) {
    Optional<HostState> source = state.host(t.status().getSourceHost());
    if (source.isEmpty()) {
      return;
    }
    call(t, agents.stub(source.get().facts().getAgentEndpoint()).cancelMigration(CancelMigrationRequest.newBuilder()
            .setMeta(meta(t.entry.id() + "/cancel", leadership.epoch())).setMigrationId(t.entry.id())
            .setReason(t.cancelReason).build()),
        resp -> {
          t.cancelRequested = false;
          apply(t, resp.getStatus());
        },
        err -> {
          if (err.getCode() == Status.Code.NOT_FOUND) {
            t.cancelRequested = false;
            reconcileFromInventory(t);
          } else {
            retryLater(t, "cancel not delivered: " + err.getDescription());
          }
        });
  }

  /** Journals what an agent reports about a migration; a final phase ends it. */
  private void apply(Tracked t, MigrationStatus reported) {
    if (!tracked.containsKey(t.entry.id())) {
      return;
    }
    MigrationStatus current = t.status();
    if (reported.getPhase() == MigrationPhase.MIGRATION_PHASE_UNSPECIFIED) {
      return;
    }
    if (JournalEntry.isFinal(reported.getPhase())) {
      finish(t, reported.getPhase(), reported.getMessage(), reported);
      return;
    }
    if (reported.getPhase() == current.getPhase() && reported.getRemainingBytes() == current.getRemainingBytes()) {
      return;
    }
    MigrationStatus merged = current.toBuilder().mergeFrom(reported).setMigrationId(current.getMigrationId())
        .setUpdatedAt(ts(clock.instant())).build();
    Optional<JournalEntry> written = journal.update(t.entry, r -> r.toBuilder().setStatus(merged).build());
    if (written.isPresent()) {
      t.entry = written.get();
    } else {
      reread(t);
    }
  }

  private void finish(Tracked t, MigrationPhase phase, String message) {
    finish(t, phase, message, null);
  }

  private void finish(Tracked t, MigrationPhase phase, String message, MigrationStatus reported) {
    MigrationStatus.Builder st = t.status().toBuilder();
    if (reported != null) {
      st.mergeFrom(reported).setMigrationId(t.entry.id());
    }
    MigrationStatus fin = st.setPhase(phase).setMessage(message).setUpdatedAt(ts(clock.instant()))
        .setRemainingBytes(phase == MigrationPhase.COMMITTED ? 0 : st.getRemainingBytes()).build();
    Optional<JournalEntry> written = journal.update(t.entry, r -> r.toBuilder().setStatus(fin).build());
    if (written.isEmpty()) {
      reread(t);
      return;
    }
    tracked.remove(t.entry.id());
    pendingLimits.remove(t.entry.id());
    finished.add(written.get().record());
    trimFinished();
    if (phase == MigrationPhase.COMMITTED) {
      lastMigratedAt.put(fin.getVm(), clock.instant());
      lastFailedAt.remove(fin.getVm());
    } else {
      lastFailedAt.put(fin.getVm(), clock.instant());
    }
    metrics.finished(t.entry.record().getReason(), phase, fin.getStats());
    log.info("migration {} of {} ({} -> {}) {}: {}", t.entry.id(), fin.getVm(), fin.getSourceHost(),
        fin.getDestinationHost(), phase, message);
  }

  private void trimFinished() {
    while (finished.size() > limits.keepFinished()) {
      MigrationRecord oldest = finished.remove(0);
      if (journal != null) {
        journal.get(oldest.getStatus().getMigrationId()).ifPresent(journal::remove);
      }
    }
  }

  private void reread(Tracked t) {
    journal.get(t.entry.id()).ifPresentOrElse(e -> t.entry = e, () -> tracked.remove(t.entry.id()));
  }

  private void retryLater(Tracked t, String why) {
    int attempt = Math.max(1, t.entry.record().getAttempts());
    long delay = limits.retryBackoff().toMillis() << Math.min(attempt - 1, 6);
    t.nextAttemptAt = clock.instant().plusMillis(delay);
    log.debug("migration {}: {}; next try in {} ms", t.entry.id(), why, delay);
  }

  /** Runs an agent call and hands its outcome back to the loop. */
  private <T> void call(Tracked t, ListenableFuture<T> future, Consumer<T> onOk, Consumer<Status> onError) {
    t.callInFlight = true;
    t.lastCallAt = clock.instant();
    Futures.addCallback(future, new FutureCallback<>() {
      @Override
      public void onSuccess(T value) {
        loop.execute("migration " + t.entry.id(), () -> {
          t.callInFlight = false;
          if (leadership.isLeader()) {
            onOk.accept(value);
          }
        });
      }

      @Override
      public void onFailure(Throwable e) {
        loop.execute("migration " + t.entry.id(), () -> {
          t.callInFlight = false;
          if (leadership.isLeader()) {
            onError.accept(Status.fromThrowable(e));
          }
        });
      }
    }, MoreExecutors.directExecutor());
  }

  private RequestMeta meta(String requestId, long epoch) {
    return RequestMeta.newBuilder().setRequestId(requestId).setEpoch(epoch).setIssuer(issuer).build();
  }

  private Map<String, Long> reservedBytes() {
    Map<String, Long> m = new HashMap<>();
    for (Tracked t : tracked.values()) {
      m.merge(t.status().getDestinationHost(), t.status().getTotalBytes(), Long::sum);
    }
    return m;
  }

  // ---------------------------------------------------------------- views

  public List<MigrationRecord> unfinished() {
    return tracked.values().stream().map(t -> t.entry.record()).toList();
  }

  public List<MigrationRecord> recentlyFinished() {
    return List.copyOf(finished);
  }

  public Optional<Instant> lastMigratedAt(String vm) {
    return Optional.ofNullable(lastMigratedAt.get(vm));
  }

  static Timestamp ts(Instant i) {
    return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
  }
}
