package io.ferry.scheduler.admin;

import io.ferry.common.cluster.ClusterDirectory;
import io.ferry.common.cluster.SchedulerEndpoint;
import io.ferry.scheduler.leadership.Leadership;
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

  public AdminService(Leadership leadership, ClusterDirectory directory, SchedulerLoop loop, ClusterState state,
                      Clock clock) {
    this.leadership = leadership;
    this.directory = directory;
    this.loop = loop;
    this.state = state;
    this.clock = clock;
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
      List<HostState> hosts = loop.call(state::hosts, LOOP_TIMEOUT_MS);
      for (HostState h : hosts) {
        b.addHosts(StatusView.host(h));
        for (VmUsage v : h.vms()) {
          b.addVms(StatusView.vm(h.name(), v));
        }
      }
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

  /** Answers on the leader only; any other replica names the leader. */
  protected <T> void answer(StreamObserver<T> out, Supplier<T> body) {
    if (!leadership.isLeader()) {
      out.onError(NotLeader.error(directory));
      return;
    }
    T value;
    try {
      value = body.get();
    } catch (IllegalStateException e) {
      out.onError(Status.UNAVAILABLE.withDescription("scheduler busy: " + e.getMessage()).asRuntimeException());
      return;
    }
    out.onNext(value);
    out.onCompleted();
  }
}
