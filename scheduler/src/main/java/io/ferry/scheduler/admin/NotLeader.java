package io.ferry.scheduler.admin;

import io.ferry.common.cluster.ClusterDirectory;
import io.ferry.common.cluster.SchedulerEndpoint;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Optional;

/** The answer of a replica that is not the leader: UNAVAILABLE, naming the leader so clients can follow. */
public final class NotLeader {
  /** Trailer with the leader's admin endpoint (host:port), when known. */
  public static final Metadata.Key<String> LEADER_ENDPOINT =
      Metadata.Key.of("ferry-leader-endpoint", Metadata.ASCII_STRING_MARSHALLER);

  private NotLeader() {}

  public static StatusRuntimeException error(ClusterDirectory directory) {
    Optional<SchedulerEndpoint> leader;
    try {
      leader = directory.leader();
    } catch (RuntimeException e) {
      leader = Optional.empty();
    }
    Metadata trailers = new Metadata();
    String message;
    if (leader.isPresent()) {
      message = "not the leader, leader is " + leader.get().name() + " at " + leader.get().adminEndpoint();
      trailers.put(LEADER_ENDPOINT, leader.get().adminEndpoint());
    } else {
      message = "not the leader, and no leader is elected right now: retry in a few seconds";
    }
    return Status.UNAVAILABLE.withDescription(message).asRuntimeException(trailers);
  }
}
