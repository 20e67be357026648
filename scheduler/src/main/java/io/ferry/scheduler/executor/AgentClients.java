package io.ferry.scheduler.executor;

import io.ferry.common.grpc.GrpcServers;
import io.ferry.common.tls.TlsMaterial;
import io.ferry.v1.HostAgentGrpc;
import io.grpc.ManagedChannel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** One channel per agent endpoint, reused; stubs carry a deadline so no call can hang the executor. */
public final class AgentClients implements AutoCloseable {
  private final TlsMaterial tls;
  private final long deadlineMillis;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

  public AgentClients(TlsMaterial tls, long deadlineMillis) {
    this.tls = tls;
    this.deadlineMillis = deadlineMillis;
  }

  public HostAgentGrpc.HostAgentFutureStub stub(String endpoint) {
    ManagedChannel ch = channels.computeIfAbsent(endpoint, e -> GrpcServers.channel(e, tls));
    return HostAgentGrpc.newFutureStub(ch).withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    channels.values().forEach(GrpcServers::shutdown);
    channels.clear();
  }
}
