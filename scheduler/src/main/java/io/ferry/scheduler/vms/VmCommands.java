package io.ferry.scheduler.vms;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.Message;
import io.ferry.scheduler.admin.StatusView;
import io.ferry.scheduler.executor.AgentClients;
import io.ferry.scheduler.executor.MigrationExecutor;
import io.ferry.scheduler.executor.Placement;
import io.ferry.scheduler.leadership.Leadership;
import io.ferry.scheduler.loop.SchedulerLoop;
import io.ferry.scheduler.ops.HostOperations;
import io.ferry.scheduler.planning.Decisions;
import io.ferry.scheduler.state.ClusterState;
import io.ferry.scheduler.state.HostState;
import io.ferry.v1.AdminStartVmRequest;
import io.ferry.v1.AdminStartVmResponse;
import io.ferry.v1.AdminStopVmRequest;
import io.ferry.v1.AdminStopVmResponse;
import io.ferry.v1.HostAgentGrpc;
import io.ferry.v1.HostMode;
import io.ferry.v1.MigrationPhase;
import io.ferry.v1.MigrationRecord;
import io.ferry.v1.MigrationStatus;
import io.ferry.v1.PowerState;
import io.ferry.v1.RequestMeta;
import io.ferry.v1.StartVmRequest;
import io.ferry.v1.StartVmResponse;
import io.ferry.v1.StopVmRequest;
import io.ferry.v1.StopVmResponse;
import io.ferry.v1.VmSpec;
import io.ferry.v1.VmState;
import io.ferry.v1.VmUsage;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Admin API's VM lifecycle: {@code StartVm} and {@code StopVm} carried out by the hosts' agents.
 *
 * <p>Checks run on the scheduler loop against the leader's state; the agent call and the wait for the host's next
 * report run on the caller's (gRPC) thread. From its checks until the host's report shows the outcome, a start or
 * stop holds the VM's name (and a start its memory on the host), so two requests never race for one name and the
 * next start sees the memory already promised. When a call returns, {@code ListVms} and {@code GetStatus} already
 * show the outcome. Answers are remembered by request id, so a retried request gets the first answer.
 */
public final class VmCommands {
  private static final Logger log = LoggerFactory.getLogger(VmCommands.class);
  private static final long LOOP_TIMEOUT_MS = 5_000;
  static final Duration AGENT_START_DEADLINE = Duration.ofSeconds(30);
  /** The agent's graceful stop waits 20 s for the guest; this leaves room for the call itself. */
  static final Duration AGENT_STOP_DEADLINE = Duration.ofSeconds(30);
  /** How long a forced stop waits for the migration it cancelled to end (roll back or commit). */
  static final Duration MIGRATION_END_WAIT = Duration.ofSeconds(60);
  /** How long an answer waits for the host's report to show the outcome. */
  static final Duration REPORT_WAIT = Duration.ofSeconds(5);
  /** A pending name is released at the latest this long after the agent answered (its report never came). */
  private static final Duration PENDING_LIMIT = Duration.ofSeconds(60);
  private static final int REMEMBERED_ANSWERS = 1_000;

  private final ClusterState state;
  private final MigrationExecutor executor;
  private final HostOperations hostOps;
  private final Leadership leadership;
  private final SchedulerLoop loop;
  private final AgentClients agents;
  private final Decisions decisions;
  private final Clock clock;
  private final String issuer;

  // Owned by the scheduler loop.
  private final Map<String, Pending> pending = new HashMap<>();
  private final Map<String, CompletableFuture<MigrationRecord>> migrationEnds = new HashMap<>();
  private final Map<String, Message> answers = new LinkedHashMap<>() {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Message> eldest) {
      return size() > REMEMBERED_ANSWERS;
    }
  };

  private enum Kind { START, STOP }

  /** A start or stop between its checks and the host's report that shows its outcome. */
  private static final class Pending {
    final Kind kind;
    final String vm;
    final String host;
    final long memoryBytes;
    final CompletableFuture<Void> settled = new CompletableFuture<>();
    Instant answeredAt;

    Pending(Kind kind, String vm, String host, long memoryBytes) {
      this.kind = kind;
      this.vm = vm;
      this.host = host;
      this.memoryBytes = memoryBytes;
    }
  }

  /** Where an admitted request goes: the host, its agent, the epoch it is sent with; or an earlier answer. */
  private record Target(String host, String endpoint, long epoch, Pending pending, Message earlier,
                        String migrationId, CompletableFuture<MigrationRecord> migrationEnd) {
    static Target answered(Message earlier) {
      return new Target(null, null, 0, null, earlier, null, null);
    }

    static Target afterMigration(String id, CompletableFuture<MigrationRecord> end) {
      return new Target(null, null, 0, null, null, id, end);
    }
  }

  public VmCommands(ClusterState state, MigrationExecutor executor, HostOperations hostOps, Leadership leadership,
                    SchedulerLoop loop, AgentClients agents, Decisions decisions, Clock clock, String issuer) {
    this.state = state;
    this.executor = executor;
    this.hostOps = hostOps;
    this.leadership = leadership;
    this.loop = loop;
    this.agents = agents;
    this.decisions = decisions;
    this.clock = clock;
    this.issuer = issuer;
  }

  // ---------------------------------------------------------------- start

  /** Starts the VM of {@code request.spec} on {@code request.host}; blocks (not on the loop) until it runs. */
  public AdminStartVmResponse start(AdminStartVmRequest request) {
    VmSpec spec = request.getSpec();
    if (request.getHost().isEmpty()) {
      throw status(Status.Code.INVALID_ARGUMENT, "name the host to start the VM on");
    }
    if (spec.getName().isEmpty()) {
      throw status(Status.Code.INVALID_ARGUMENT, "the VM spec has no name");
    }
    if (spec.getMemoryBytes() <= 0) {
      throw status(Status.Code.INVALID_ARGUMENT, "VM " + spec.getName() + ": the spec gives no memory");
    }
    Target t = onLoop(() -> admitStart(request));
    if (t.earlier() != null) {
      return (AdminStartVmResponse) t.earlier();
    }
    StartVmResponse r = carryOut(t, spec.getName(), "start VM " + spec.getName(), AGENT_START_DEADLINE,
        stub -> stub.startVm(StartVmRequest.newBuilder().setMeta(agentMeta(request.getMeta(), "start", t.epoch()))
            .setSpec(spec).build()),
        done -> done.getAlreadyRunning() ? null : "started on " + t.host() + " by " + issuer(request.getMeta()) + " ("
            + spec.getVcpus() + " vCPUs, " + (spec.getMemoryBytes() >> 20) + " MiB"
            + (request.getForce() ? ", forced" : "") + ")");
    AdminStartVmResponse answer = AdminStartVmResponse.newBuilder().setVm(StatusView.vm(t.host(), r.getVm()))
        .setAlreadyRunning(r.getAlreadyRunning()).build();
    remember(request.getMeta(), answer);
    return answer;
  }

  private Target admitStart(AdminStartVmRequest request) {
    Message earlier = answers.get(request.getMeta().getRequestId());
    if (earlier instanceof AdminStartVmResponse) {
      return Target.answered(earlier);
    }
    String vm = request.getSpec().getName();
    HostState host = knownHost(request.getHost());
    refuseWhilePending(vm);
    boolean alreadyThere = false;
    for (HostState h : state.hosts()) {
      for (VmUsage v : h.vms()) {
        if (v.getName().equals(vm)) {
          if (!h.name().equals(host.name()) || v.getState() == VmState.VM_MIGRATING_IN) {
            throw status(Status.Code.ALREADY_EXISTS, "VM " + vm + " already " + (v.getState()
                == VmState.VM_MIGRATING_IN ? "is arriving on " : "runs on ") + h.name()
                + ": VM names are unique in the cluster");
          }
          alreadyThere = true;
        }
      }
    }
    if (!host.connected()) {
      throw status(Status.Code.FAILED_PRECONDITION, "host " + host.name() + " is not connected (its last report came"
          + " at " + host.lastReportAt() + "): VMs start only on hosts whose agent reports to the leader");
    }
    if (host.power() != PowerState.POWER_ON) {
      throw status(Status.Code.FAILED_PRECONDITION, "host " + host.name() + " is not powered on ("
          + host.power().name().replace("POWER_", "").toLowerCase(java.util.Locale.ROOT) + "): it runs no VMs");
    }
    if (host.mode() != HostMode.HOST_MODE_NORMAL && !request.getForce() && !alreadyThere) {
      String reason = hostOps.wanted(host.name()).map(w -> w.reason()).filter(r -> !r.isEmpty())
          .map(r -> " (" + r + ")").orElse("");
      throw status(Status.Code.FAILED_PRECONDITION, "host " + host.name() + " is in "
          + Placement.modeName(host.mode()) + " mode" + reason + " and takes no new VMs: pass --force to start VM "
          + vm + " there anyway");
    }
    if (!alreadyThere) {
      refuseWithoutMemory(host, vm, request.getSpec().getMemoryBytes());
    }
    Pending p = new Pending(Kind.START, vm, host.name(), alreadyThere ? 0 : request.getSpec().getMemoryBytes());
    pending.put(vm, p);
    return new Target(host.name(), host.facts().getAgentEndpoint(), leadership.epoch(), p, null, null, null);
  }

  /** The VM's memory must fit what the host has not promised yet: its VMs, incoming migrations, starts. */
  private void refuseWithoutMemory(HostState host, String vm, long neededBytes) {
    long total = Placement.capacityBytes(host);
    long vms = Placement.committedBytes(host);
    long incoming = executor.unfinished().stream().map(MigrationRecord::getStatus)
        .filter(m -> m.getDestinationHost().equals(host.name())).mapToLong(MigrationStatus::getTotalBytes).sum();
    long starting = pending.values().stream().filter(p -> p.kind == Kind.START && p.host.equals(host.name()))
        .mapToLong(p -> p.memoryBytes).sum();
    long free = total - vms - incoming - starting;
    if (neededBytes > free) {
      throw status(Status.Code.FAILED_PRECONDITION, "not enough memory on host " + host.name() + " for VM " + vm
          + ": " + mib(neededBytes) + " needed, " + mib(Math.max(0, free)) + " free (" + mib(total) + " total, "
          + mib(vms) + " promised to its " + host.vms().size() + " VMs"
          + (incoming + starting > 0 ? ", " + mib(incoming + starting) + " to incoming migrations and starts" : "")
          + ")");
    }
  }

  // ---------------------------------------------------------------- stop

  /**
   * Stops the VM wherever it runs; blocks (not on the loop) until its host's report no longer lists it. A VM that is
   * migrating is refused unless {@code force}, which cancels the migration and waits for it to end first.
   */
  public AdminStopVmResponse stop(AdminStopVmRequest request) {
    if (request.getVm().isEmpty()) {
      throw status(Status.Code.INVALID_ARGUMENT, "name the VM to stop");
    }
    Target t = onLoop(() -> admitStop(request));
    if (t.earlier() != null) {
      return (AdminStopVmResponse) t.earlier();
    }
    String cancelled = "";
    if (t.migrationId() != null) {
      cancelled = t.migrationId();
      MigrationRecord ended = awaitMigrationEnd(t);
      t = onLoop(() -> admitStopAfter(request.getVm(), ended));
    }
    Target target = t;
    String after = cancelled.isEmpty() ? "" : " after cancelling migration " + cancelled;
    StopVmResponse r = carryOut(target, request.getVm(), "stop VM " + request.getVm(), AGENT_STOP_DEADLINE,
        stub -> stub.stopVm(StopVmRequest.newBuilder().setMeta(agentMeta(request.getMeta(), "stop", target.epoch()))
            .setVm(request.getVm()).setForce(request.getForce()).build()),
        done -> (request.getForce() ? "destroyed" : "stopped") + " on " + target.host() + " by "
            + issuer(request.getMeta()) + (request.getForce() ? " (--force)" : "") + after);
    AdminStopVmResponse answer = AdminStopVmResponse.newBuilder().setState(r.getState()).setHost(target.host())
        .setCancelledMigrationId(cancelled).build();
    remember(request.getMeta(), answer);
    return answer;
  }

  private Target admitStop(AdminStopVmRequest request) {
    Message earlier = answers.get(request.getMeta().getRequestId());
    if (earlier instanceof AdminStopVmResponse) {
      return Target.answered(earlier);
    }
    String vm = request.getVm();
    refuseWhilePending(vm);
    HostState host = state.hostOf(vm).orElseThrow(() -> status(Status.Code.NOT_FOUND, "VM " + vm
        + " is not running on any known host"));
    Optional<MigrationRecord> migration = executor.unfinished().stream()
        .filter(m -> m.getStatus().getVm().equals(vm)).findFirst();
    if (migration.isPresent()) {
      MigrationStatus m = migration.get().getStatus();
      String which = m.getMigrationId() + ", " + m.getSourceHost() + " -> " + m.getDestinationHost() + ", "
          + m.getPhase();
      if (!request.getForce()) {
        throw status(Status.Code.FAILED_PRECONDITION, "VM " + vm + " is migrating (" + which + "): wait for the"
            + " migration to end, cancel it with 'ferry migrate --cancel " + m.getMigrationId() + "', or stop with"
            + " --force (cancels the migration, then stops the VM where it ended up)");
      }
      executor.cancel(m.getMigrationId(), "VM " + vm + " is stopped by " + issuer(request.getMeta()) + " (--force)");
      log.info("stopping VM {} with --force: cancelled its migration {} first", vm, which);
      return Target.afterMigration(m.getMigrationId(),
          migrationEnds.computeIfAbsent(m.getMigrationId(), id -> new CompletableFuture<>()));
    }
    return reserveStop(vm, host);
  }

  /** After the cancelled migration ended: the VM runs on the destination if it committed, else on the source. */
  private Target admitStopAfter(String vm, MigrationRecord ended) {
    refuseWhilePending(vm);
    MigrationStatus m = ended.getStatus();
    String where = m.getPhase() == MigrationPhase.COMMITTED ? m.getDestinationHost() : m.getSourceHost();
    return reserveStop(vm, knownHost(where));
  }

  private Target reserveStop(String vm, HostState host) {
    if (!host.connected()) {
      throw status(Status.Code.FAILED_PRECONDITION, "VM " + vm + " runs on host " + host.name() + ", which is not"
          + " connected (its last report came at " + host.lastReportAt() + "): it cannot be stopped now");
    }
    Pending p = new Pending(Kind.STOP, vm, host.name(), 0);
    pending.put(vm, p);
    return new Target(host.name(), host.facts().getAgentEndpoint(), leadership.epoch(), p, null, null, null);
  }

  private void refuseWhilePending(String vm) {
    Pending busy = pending.get(vm);
    if (busy != null) {
      throw status(Status.Code.ABORTED, "VM " + vm + " is being " + (busy.kind == Kind.START ? "started" : "stopped")
          + " on " + busy.host + " by another request: try again when it is done");
    }
  }

  private MigrationRecord awaitMigrationEnd(Target t) {
    try {
      return t.migrationEnd().get(MIGRATION_END_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw status(Status.Code.DEADLINE_EXCEEDED, "migration " + t.migrationId() + " was cancelled but has not"
          + " ended within " + MIGRATION_END_WAIT.toSeconds() + " s; the VM was not stopped: try again when"
          + " 'ferry migrate --list' no longer shows it");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw status(Status.Code.CANCELLED, "interrupted");
    } catch (ExecutionException e) {
      throw status(Status.Code.UNAVAILABLE, "this replica stopped leading while migration " + t.migrationId()
          + " ended; the VM was not stopped");
    }
  }

  // ---------------------------------------------------------------- the loop

  /** Releases names whose outcome the host's report shows, and wakes forced stops whose migration ended. */
  public void tick() {
    if (pending.isEmpty() && migrationEnds.isEmpty()) {
      return;
    }
    Instant now = clock.instant();
    for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
      Pending p = it.next();
      if (p.answeredAt == null) {
        continue;
      }
      boolean listed = state.host(p.host).map(h -> h.vms().stream().anyMatch(v -> v.getName().equals(p.vm)))
          .orElse(false);
      boolean shown = p.kind == Kind.START ? listed : !listed;
      if (shown || now.isAfter(p.answeredAt.plus(PENDING_LIMIT))) {
        if (!shown) {
          log.warn("host {} has not reported the {} of VM {} within {} s; releasing the name", p.host,
              p.kind == Kind.START ? "start" : "stop", p.vm, PENDING_LIMIT.toSeconds());
        }
        p.settled.complete(null);
        it.remove();
      }
    }
    if (!migrationEnds.isEmpty()) {
      Map<String, MigrationRecord> running = executor.unfinished().stream()
          .collect(Collectors.toMap(m -> m.getStatus().getMigrationId(), m -> m, (a, b) -> a));
      for (Iterator<Map.Entry<String, CompletableFuture<MigrationRecord>>> it = migrationEnds.entrySet().iterator();
           it.hasNext(); ) {
        Map.Entry<String, CompletableFuture<MigrationRecord>> e = it.next();
        if (!running.containsKey(e.getKey())) {
          executor.recentlyFinished().stream().filter(m -> m.getStatus().getMigrationId().equals(e.getKey()))
              .reduce((a, b) -> b).ifPresentOrElse(e.getValue()::complete, () -> e.getValue()
                  .completeExceptionally(new IllegalStateException("migration " + e.getKey() + " is unknown")));
          it.remove();
        }
      }
    }
  }

  /** The term ended: nothing pending survives it (the next leader starts from the agents' reports). */
  public void onTermEnd() {
    IllegalStateException lost = new IllegalStateException("leadership lost");
    pending.values().forEach(p -> p.settled.completeExceptionally(lost));
    migrationEnds.values().forEach(f -> f.completeExceptionally(lost));
    pending.clear();
    migrationEnds.clear();
    answers.clear();
  }

  // ---------------------------------------------------------------- helpers

  private HostState knownHost(String name) {
    return state.host(name).orElseThrow(() -> status(Status.Code.NOT_FOUND, "host " + name + " is unknown (known: "
        + state.hosts().stream().map(HostState::name).collect(Collectors.joining(", ")) + ")"));
  }

  private void awaitReport(Pending p) {
    try {
      p.settled.get(REPORT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      log.info("host {} has not reported VM {} yet; answering with what its agent said", p.host, p.vm);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Sends an admitted request to the host's agent. On success records the decision ({@code decision} gives its
   * explanation, or null for none) and waits for the host's report; on failure releases the name at once.
   */
  private <T> T carryOut(Target t, String vm, String what, Duration deadline,
                         Function<HostAgentGrpc.HostAgentFutureStub, ListenableFuture<T>> call,
                         Function<T, String> decision) {
    T done;
    try {
      done = callAgent(t, what, deadline, call);
    } catch (StatusRuntimeException e) {
      onLoop(() -> pending.remove(vm, t.pending()));
      throw e;
    }
    String explanation = decision.apply(done);
    onLoop(() -> {
      t.pending().answeredAt = clock.instant();
      if (explanation != null) {
        decisions.add("vm", vm, t.pending().kind == Kind.START ? "start" : "stop", explanation);
      }
      return null;
    });
    awaitReport(t.pending());
    return done;
  }

  private <T> T callAgent(Target t, String what, Duration deadline,
                          Function<HostAgentGrpc.HostAgentFutureStub, ListenableFuture<T>> call) {
    try {
      return call.apply(agents.stub(t.endpoint()).withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS))
          .get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw status(Status.Code.CANCELLED, "interrupted");
    } catch (ExecutionException e) {
      Status s = Status.fromThrowable(e.getCause());
      String d = s.getDescription() == null ? "" : s.getDescription();
      throw switch (s.getCode()) {
        // UNAVAILABLE would read as "the scheduler is unavailable": it is the host's agent that is.
        case UNAVAILABLE -> status(Status.Code.FAILED_PRECONDITION, "cannot " + what + ": the agent of host "
            + t.host() + " at " + t.endpoint() + " cannot be reached (" + d + ")");
        case DEADLINE_EXCEEDED -> status(Status.Code.DEADLINE_EXCEEDED, "cannot " + what + ": the agent of host "
            + t.host() + " did not answer within " + deadline.toSeconds() + " s; see 'ferry vm list' for the outcome");
        default -> status(s.getCode(), d);
      };
    }
  }

  private <T> T onLoop(Callable<T> task) {
    try {
      return loop.call(task, LOOP_TIMEOUT_MS);
    } catch (IllegalStateException e) {
      for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
        if (c instanceof StatusRuntimeException sre) {
          throw sre;
        }
      }
      throw e;
    }
  }

  private RequestMeta agentMeta(RequestMeta admin, String action, long epoch) {
    String id = admin.getRequestId().isEmpty() ? UUID.randomUUID().toString() : admin.getRequestId();
    return RequestMeta.newBuilder().setRequestId("vm-" + action + "/" + id).setEpoch(epoch).setIssuer(issuer).build();
  }

  private void remember(RequestMeta meta, Message answer) {
    if (!meta.getRequestId().isEmpty()) {
      onLoop(() -> answers.put(meta.getRequestId(), answer));
    }
  }

  private static String issuer(RequestMeta meta) {
    return meta.getIssuer().isEmpty() ? "an operator" : meta.getIssuer();
  }

  private static String mib(long bytes) {
    return (bytes >> 20) + " MiB";
  }

  private static StatusRuntimeException status(Status.Code code, String description) {
    return Status.fromCode(code).withDescription(description).asRuntimeException();
  }
}
