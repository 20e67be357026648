package io.ferry.scheduler.admin;

import io.ferry.common.cluster.ClusterDirectory;
import io.ferry.common.cluster.SchedulerEndpoint;
import io.ferry.scheduler.executor.MigrationExecutor;
import io.ferry.scheduler.executor.MigrationRequest;
import io.ferry.scheduler.executor.SubmitResult;
import io.ferry.scheduler.leadership.Leadership;
import io.ferry.scheduler.ops.HostOperations;
import io.ferry.scheduler.vms.VmCommands;
import io.ferry.v1.AdminStartVmRequest;
import io.ferry.v1.AdminStartVmResponse;
import io.ferry.v1.AdminStopVmRequest;
import io.ferry.v1.AdminStopVmResponse;
import io.ferry.policies.model.SchedulingPolicy;
import io.ferry.policies.parse.ParseResult;
import io.ferry.policies.parse.PolicyParser;
import io.ferry.policies.planner.Plan;
import io.ferry.policies.planner.PlanJson;
import io.ferry.policies.planner.PlanTable;
import io.ferry.policies.snapshot.SnapshotJson;
import io.ferry.scheduler.planning.Decisions;
import io.ferry.scheduler.planning.PlanningLoop;
import io.ferry.scheduler.policy.PolicyManager;
import io.ferry.v1.ApplyPolicyRequest;
import io.ferry.v1.ApplyPolicyResponse;
import io.ferry.v1.GetPolicyRequest;
import io.ferry.v1.GetSnapshotRequest;
import io.ferry.v1.PlanRequest;
import io.ferry.v1.PlanResponse;
import io.ferry.v1.PolicyDocument;
import io.ferry.v1.PolicyError;
import io.ferry.v1.SnapshotDocument;
import io.ferry.v1.ValidatePolicyRequest;
import io.ferry.v1.ValidatePolicyResponse;
import io.ferry.v1.AdminCancelRequest;
import io.ferry.v1.AdminCancelResponse;
import io.ferry.v1.DrainRequest;
import io.ferry.v1.DrainResponse;
import io.ferry.v1.HostMode;
import io.ferry.v1.ListMigrationsRequest;
import io.ferry.v1.ListMigrationsResponse;
import io.ferry.v1.MigrateRequest;
import io.ferry.v1.MigrateResponse;
import io.ferry.v1.MigrationLimits;
import io.ferry.v1.MigrationStrategy;
import io.ferry.v1.RequestMeta;
import io.ferry.v1.UndrainRequest;
import io.ferry.v1.UndrainResponse;
import io.ferry.scheduler.loop.SchedulerLoop;
import io.ferry.scheduler.state.ClusterState;
import io.ferry.scheduler.state.HostState;
import io.ferry.v1.AdminGrpc;
import io.ferry.v1.ClusterStatus;
import io.ferry.v1.GetStatusRequest;
import io.ferry.v1.HostSummary;
import io.ferry.v1.ListHostsRequest;
import io.ferry.v1.ListHostsResponse;
import io.ferry.v1.ListVmsRequest;
import io.ferry.v1.ListVmsResponse;
import io.ferry.v1.SchedulerReplica;
import io.ferry.v1.VmSummary;
import io.ferry.v1.VmUsage;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The Admin API on the leader. A standby answers UNAVAILABLE naming the leader (see {@link NotLeader}).
 * Reads are served from a copy taken on the scheduler loop, so they never race with ingest.
 */
public class AdminService extends AdminGrpc.AdminImplBase {
  private static final long LOOP_TIMEOUT_MS = 5_000;

  private final Leadership leadership;
  private final ClusterDirectory directory;
  private final SchedulerLoop loop;
  private final ClusterState state;
  private final Clock clock;
  private final MigrationExecutor executor;
  private final HostOperations hostOps;
  private final PolicyManager policies;
  private final PlanningLoop planning;
  private final Decisions decisions;
  private final VmCommands vms;

  public AdminService(Leadership leadership, ClusterDirectory directory, SchedulerLoop loop, ClusterState state,
                      Clock clock, MigrationExecutor executor, HostOperations hostOps, PolicyManager policies,
                      PlanningLoop planning, Decisions decisions, VmCommands vms) {
    this.vms = vms;
    this.policies = policies;
    this.planning = planning;
    this.decisions = decisions;
    this.leadership = leadership;
    this.directory = directory;
    this.loop = loop;
    this.state = state;
    this.clock = clock;
    this.executor = executor;
    this.hostOps = hostOps;
  }

  @Override
  public void getStatus(GetStatusRequest request, StreamObserver<ClusterStatus> out) {
    answer(out, () -> {
      ClusterStatus.Builder b = ClusterStatus.newBuilder()
          .setCluster(directory.cluster())
          .setLeader(leadership.leaderName())
          .setEpoch(leadership.epoch())
          .setGeneratedAt(StatusView.ts(clock.instant()));
      for (SchedulerEndpoint s : directory.schedulers()) {
        boolean leads = s.name().equals(leadership.leaderName());
        b.addReplicas(SchedulerReplica.newBuilder().setName(s.name()).setAdminEndpoint(s.adminEndpoint())
            .setLeader(leads).setLive(true));
        if (leads) {
          b.setLeaderAdminEndpoint(s.adminEndpoint());
        }
      }
      loop.call(() -> {
        for (HostState h : state.hosts()) {
          HostSummary.Builder hs = StatusView.host(h).toBuilder();
          hostOps.wanted(h.name()).filter(w -> !w.reason().isEmpty())
              .ifPresent(w -> hs.addNotes(StatusView.modeNote(h, w.mode(), w.reason())));
          b.addHosts(hs);
          for (VmUsage v : h.vms()) {
            if (v.getState() != io.ferry.v1.VmState.VM_MIGRATING_IN) {
              VmSummary.Builder vs = StatusView.vm(h.name(), v).toBuilder();
              executor.lastMigratedAt(v.getName()).ifPresent(t -> vs.setLastMigratedAt(StatusView.ts(t)));
              b.addVms(vs);
            }
          }
        }
        b.addAllMigrations(executor.unfinished());
        b.setPolicy(policies.info());
        b.addAllRecentDecisions(decisions.recent());
        return null;
      }, LOOP_TIMEOUT_MS);
      return b.build();
    });
  }

  @Override
  public void listHosts(ListHostsRequest request, StreamObserver<ListHostsResponse> out) {
    answer(out, () -> {
      List<HostSummary> hosts = new ArrayList<>();
      loop.call(state::hosts, LOOP_TIMEOUT_MS).forEach(h -> hosts.add(StatusView.host(h)));
      return ListHostsResponse.newBuilder().addAllHosts(hosts).build();
    });
  }

  @Override
  public void listVms(ListVmsRequest request, StreamObserver<ListVmsResponse> out) {
    answer(out, () -> {
      List<VmSummary> vms = new ArrayList<>();
      for (HostState h : loop.call(state::hosts, LOOP_TIMEOUT_MS)) {
        if (request.getHost().isEmpty() || request.getHost().equals(h.name())) {
          h.vms().forEach(v -> vms.add(StatusView.vm(h.name(), v)));
        }
      }
      return ListVmsResponse.newBuilder().addAllVms(vms).build();
    });
  }

  @Override
  public void listMigrations(ListMigrationsRequest request, StreamObserver<ListMigrationsResponse> out) {
    answer(out, () -> loop.call(() -> {
      ListMigrationsResponse.Builder b = ListMigrationsResponse.newBuilder();
      if (request.getIncludeFinished()) {
        b.addAllMigrations(executor.recentlyFinished());
      }
      return b.addAllMigrations(executor.unfinished()).build();
    }, LOOP_TIMEOUT_MS));
  }

  @Override
  public void migrate(MigrateRequest request, StreamObserver<MigrateResponse> out) {
    if (request.getVm().isEmpty() || request.getDestinationHost().isEmpty()) {
      out.onError(Status.INVALID_ARGUMENT.withDescription("name the VM and the destination host").asRuntimeException());
      return;
    }
    if (!checkEpoch(request.getMeta(), out)) {
      return;
    }
    answerOrReject(out, () -> loop.call(() -> executor.submit(new MigrationRequest(request.getVm(),
        request.getDestinationHost(), request.getStrategy() == MigrationStrategy.STRATEGY_UNSPECIFIED
            ? MigrationStrategy.AUTO : request.getStrategy(), manualLimits(request.getLimits()), "manual",
        "requested by " + issuer(request.getMeta()), true, request.getMeta().getRequestId())), LOOP_TIMEOUT_MS),
        a -> MigrateResponse.newBuilder().setMigration(a.migration()).build());
  }

  /**
   * A manual migration gets the policy's migration limits; what the request sets (a downtime, a bandwidth,
   * post-copy or storage allowed) is added on top.
   */
  private MigrationLimits manualLimits(MigrationLimits requested) {
    return PlanningLoop.limits(policies.policy()).toBuilder().mergeFrom(requested).build();
  }

  @Override
  public void cancelMigration(AdminCancelRequest request, StreamObserver<AdminCancelResponse> out) {
    if (!checkEpoch(request.getMeta(), out)) {
      return;
    }
    answer(out, () -> {
      var m = loop.call(() -> executor.cancel(request.getMigrationId(),
          "cancelled by " + issuer(request.getMeta())), LOOP_TIMEOUT_MS);
      if (m.isEmpty()) {
        throw Status.NOT_FOUND.withDescription("migration " + request.getMigrationId() + " is unknown")
            .asRuntimeException();
      }
      return AdminCancelResponse.newBuilder().setMigration(m.get()).build();
    });
  }

  @Override
  public void drain(DrainRequest request, StreamObserver<DrainResponse> out) {
    if (!checkEpoch(request.getMeta(), out)) {
      return;
    }
    answer(out, () -> {
      HostOperations.DrainOutcome o = loop.call(() -> hostOps.drain(request.getHost(),
          request.getMeta().getRequestId()), LOOP_TIMEOUT_MS);
      if (!o.known()) {
        throw Status.NOT_FOUND.withDescription("host " + request.getHost() + " is unknown").asRuntimeException();
      }
      String msg = o.vmsLeft() == 0 ? "host " + request.getHost() + " is in maintenance and has no VMs"
          : "draining " + request.getHost() + ": " + o.vmsLeft() + " VMs left, " + o.migrationIds().size()
              + " migrations planned or in flight" + (o.notPlaced().isEmpty() ? ""
              : "; waiting for room: " + String.join("; ", o.notPlaced()));
      return DrainResponse.newBuilder().setHost(request.getHost()).setMode(HostMode.HOST_MODE_MAINTENANCE)
          .addAllMigrationIds(o.migrationIds()).setMessage(msg).build();
    });
  }

  @Override
  public void undrain(UndrainRequest request, StreamObserver<UndrainResponse> out) {
    if (!checkEpoch(request.getMeta(), out)) {
      return;
    }
    answer(out, () -> {
      if (!loop.call(() -> hostOps.undrain(request.getHost()), LOOP_TIMEOUT_MS)) {
        throw Status.NOT_FOUND.withDescription("host " + request.getHost() + " is unknown").asRuntimeException();
      }
      return UndrainResponse.newBuilder().setHost(request.getHost()).setMode(HostMode.HOST_MODE_NORMAL).build();
    });
  }

  @Override
  public void startVm(AdminStartVmRequest request, StreamObserver<AdminStartVmResponse> out) {
    if (!checkEpoch(request.getMeta(), out)) {
      return;
    }
    answer(out, () -> vms.start(request));
  }

  @Override
  public void stopVm(AdminStopVmRequest request, StreamObserver<AdminStopVmResponse> out) {
    if (!checkEpoch(request.getMeta(), out)) {
      return;
    }
    answer(out, () -> vms.stop(request));
  }

  @Override
  public void getPolicy(GetPolicyRequest request, StreamObserver<PolicyDocument> out) {
    answer(out, () -> loop.call(() -> PolicyDocument.newBuilder().setInfo(policies.info())
        .setYaml(policies.yaml()).build(), LOOP_TIMEOUT_MS));
  }

  @Override
  public void applyPolicy(ApplyPolicyRequest request, StreamObserver<ApplyPolicyResponse> out) {
    if (!checkEpoch(request.getMeta(), out)) {
      return;
    }
    answer(out, () -> loop.call(() -> {
      String file = request.getFileName().isEmpty() ? "policy.yaml" : request.getFileName();
      ParseResult r = policies.apply(file, request.getYaml());
      return ApplyPolicyResponse.newBuilder().setApplied(r.ok()).setInfo(policies.info())
          .addAllErrors(errors(r)).build();
    }, LOOP_TIMEOUT_MS));
  }

  @Override
  public void validatePolicy(ValidatePolicyRequest request, StreamObserver<ValidatePolicyResponse> out) {
    ParseResult r = PolicyParser.parse(request.getFileName().isEmpty() ? "policy.yaml" : request.getFileName(),
        request.getYaml());
    out.onNext(ValidatePolicyResponse.newBuilder().setValid(r.ok()).addAllErrors(errors(r)).build());
    out.onCompleted();
  }

  @Override
  public void plan(PlanRequest request, StreamObserver<PlanResponse> out) {
    SchedulingPolicy override = null;
    if (!request.getPolicyYaml().isEmpty()) {
      ParseResult r = PolicyParser.parse("policy.yaml", request.getPolicyYaml());
      if (!r.ok()) {
        out.onError(Status.INVALID_ARGUMENT.withDescription("policy is invalid: " + r.errors().get(0))
            .asRuntimeException());
        return;
      }
      override = r.policy().orElseThrow();
    }
    SchedulingPolicy given = override;
    answer(out, () -> loop.call(() -> {
      SchedulingPolicy p = given != null ? given : policies.policy();
      Plan plan = planning.dryRun(p, request.getExplainCandidates());
      return PlanResponse.newBuilder().setPlanJson(PlanJson.write(plan, request.getExplainCandidates()))
          .setPlanTable(PlanTable.render(plan, request.getExplainCandidates())).build();
    }, LOOP_TIMEOUT_MS));
  }

  @Override
  public void getSnapshot(GetSnapshotRequest request, StreamObserver<SnapshotDocument> out) {
    answer(out, () -> loop.call(() -> SnapshotDocument.newBuilder()
        .setJson(SnapshotJson.write(planning.snapshot())).build(), LOOP_TIMEOUT_MS));
  }

  private static java.util.List<PolicyError> errors(ParseResult r) {
    return r.errors().stream().map(e -> PolicyError.newBuilder().setFile(e.file()).setLine(e.line())
        .setColumn(e.column()).setMessage(e.message()).build()).toList();
  }

  /** An admin request may name the epoch it expects (0 = any): a different one means the leader changed. */
  private boolean checkEpoch(RequestMeta meta, StreamObserver<?> out) {
    if (meta.getEpoch() != 0 && leadership.isLeader() && meta.getEpoch() != leadership.epoch()) {
      out.onError(Status.FAILED_PRECONDITION.withDescription("request expects leader epoch " + meta.getEpoch()
          + " but the current epoch is " + leadership.epoch()).asRuntimeException());
      return false;
    }
    return true;
  }

  private static String issuer(RequestMeta meta) {
    return meta.getIssuer().isEmpty() ? "an operator" : meta.getIssuer();
  }

  private <T> void answerOrReject(StreamObserver<T> out, Supplier<SubmitResult> submit,
                                  java.util.function.Function<SubmitResult.Accepted, T> ok) {
    answer(out, () -> {
      SubmitResult r = submit.get();
      if (r instanceof SubmitResult.Rejected rej) {
        throw Status.fromCode(rej.code()).withDescription(rej.reason()).asRuntimeException();
      }
      return ok.apply((SubmitResult.Accepted) r);
    });
  }

  /** Answers on the leader only; any other replica names the leader. */
  protected <T> void answer(StreamObserver<T> out, Supplier<T> body) {
    if (!leadership.isLeader()) {
      out.onError(NotLeader.error(directory));
      return;
    }
    T value;
    try {
      value = body.get();
    } catch (io.grpc.StatusRuntimeException e) {
      out.onError(e);
      return;
    } catch (IllegalStateException e) {
      if (e.getCause() != null && e.getCause().getCause() instanceof io.grpc.StatusRuntimeException sre) {
        out.onError(sre);
        return;
      }
      out.onError(Status.UNAVAILABLE.withDescription("scheduler busy: " + e.getMessage()).asRuntimeException());
      return;
    }
    out.onNext(value);
    out.onCompleted();
  }
}
