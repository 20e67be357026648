package io.ferry.cli.client;

import io.ferry.common.FerryException;
import io.ferry.common.cluster.ClusterDirectory;
import io.ferry.common.cluster.SchedulerEndpoint;
import io.ferry.common.cluster.ZkConnection;
import io.ferry.common.grpc.GrpcServers;
import io.ferry.common.tls.TlsMaterial;
import io.ferry.v1.AdminGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Calls the leader's Admin API: finds the leader through ZooKeeper, and follows a standby's
 * "not the leader, leader is X" answer (at most a few hops).
 */
public final class AdminClient implements AutoCloseable {
  private static final Metadata.Key<String> LEADER_ENDPOINT =
      Metadata.Key.of("ferry-leader-endpoint", Metadata.ASCII_STRING_MARSHALLER);
  private static final int MAX_HOPS = 3;

  private final Context context;
  private final TlsMaterial tls;
  private final Duration deadline;
  private ManagedChannel channel;
  private String target;

  public AdminClient(Context context, Duration deadline) {
    this.context = context;
    this.tls = ClusterOptions.tls(context);
    this.deadline = deadline;
  }

  /** The admin endpoint of the leader, looked up in ZooKeeper. */
  public static String findLeader(Context context) {
    try (ZkConnection zk = ZkConnection.connect(context.zk(), Duration.ofSeconds(5), Duration.ofSeconds(10))) {
      ClusterDirectory dir = new ClusterDirectory(zk.client(), context.cluster());
      if (!dir.clusterExists()) {
        throw new FerryException("cluster '" + context.cluster() + "' does not exist in ZooKeeper at "
            + context.zk() + ": check --cluster");
      }
      Optional<SchedulerEndpoint> leader = dir.leader();
      if (leader.isPresent()) {
        return leader.get().adminEndpoint();
      }
      return dir.schedulers().stream().findFirst().map(SchedulerEndpoint::adminEndpoint)
          .orElseThrow(() -> new FerryException("no scheduler is running in cluster '" + context.cluster()
              + "': start one with 'ferry scheduler --zk " + context.zk() + " --cluster " + context.cluster() + "'"));
    }
  }

  /** Runs {@code call} against the leader, following redirects from standbys. */
  public <T> T call(Function<AdminGrpc.AdminBlockingStub, T> call) {
    String next = target != null ? target : findLeader(context);
    for (int hop = 0; ; hop++) {
      connect(next);
      try {
        return call.apply(AdminGrpc.newBlockingStub(channel).withDeadlineAfter(deadline.toMillis(),
            TimeUnit.MILLISECONDS));
      } catch (StatusRuntimeException e) {
        Metadata trailers = Status.trailersFromThrowable(e);
        String leader = trailers == null ? null : trailers.get(LEADER_ENDPOINT);
        if (e.getStatus().getCode() == Status.Code.UNAVAILABLE && leader != null && !leader.equals(next)
            && hop < MAX_HOPS) {
          next = leader;
          continue;
        }
        if (e.getStatus().getCode() == Status.Code.UNAVAILABLE && e.getStatus().getDescription() != null
            && e.getStatus().getDescription().startsWith("io exception")) {
          throw new FerryException("cannot reach the scheduler at " + next + ": " + rootCause(e)
              + (tls.insecure() ? "" : " (if the cluster runs with --insecure, pass --insecure)"), e);
        }
        throw e;
      }
    }
  }

  private static String rootCause(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null) {
      c = c.getCause();
    }
    return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
  }

  private void connect(String endpoint) {
    if (endpoint.equals(target) && channel != null) {
      return;
    }
    GrpcServers.shutdown(channel);
    target = endpoint;
    channel = GrpcServers.channel(endpoint, tls);
  }

  @Override
  public void close() {
    GrpcServers.shutdown(channel);
  }
}
