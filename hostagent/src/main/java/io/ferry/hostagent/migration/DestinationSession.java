package io.ferry.hostagent.migration;

import io.ferry.common.HostPort;
import io.ferry.common.grpc.GrpcServers;
import io.ferry.common.tls.TlsMaterial;
import io.ferry.common.tls.Transport;
import io.ferry.hostagent.migration.transfer.ChunkStream;
import io.ferry.hostagent.migration.transfer.DataChannel;
import io.ferry.hostagent.migration.transfer.GrpcChunkStream;
import io.ferry.hostagent.migration.transfer.SocketChunkStream;
import io.ferry.hostagent.migration.transfer.RateLimiter;
import io.ferry.hostagent.migration.transfer.StreamTuning;
import io.ferry.v1.AbortRequest;
import io.ferry.v1.CommitRequest;
import io.ferry.v1.MigrationPeerGrpc;
import io.ferry.v1.PrepareRequest;
import io.ferry.v1.PrepareResponse;
import io.ferry.v1.RecoverRequest;
import io.ferry.v1.RecoverResponse;
import io.ferry.v1.SwitchoverRequest;
import io.ferry.v1.SwitchoverResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The source's connections to one destination agent: a control channel for the unary phases and one channel
 * (its own TCP connection) per transfer stream, all over the agents' mTLS.
 */
final class DestinationSession implements AutoCloseable {
  private static final int FLOW_CONTROL_WINDOW_BYTES = 8 << 20;

  private final String target;
  private final TlsMaterial tls;
  private final Duration rpcTimeout;
  private final ManagedChannel control;
  private final List<ManagedChannel> streamChannels = new ArrayList<>();
  private final List<ChunkStream> dataStreams = new ArrayList<>();
  private final DataChannel dataChannel;
  private final MigrationMetrics metrics;
  private volatile PrepareResponse prepared;

  DestinationSession(String target, TlsMaterial tls, Duration rpcTimeout) {
    this(target, tls, rpcTimeout, null, null);
  }

  /**
   * @param dataChannel this agent's data channel, for destinations that offer theirs; null: Transfer calls only
   * @param metrics counts the streams opened by transport; null: not counted
   */
  DestinationSession(String target, TlsMaterial tls, Duration rpcTimeout, DataChannel dataChannel,
                     MigrationMetrics metrics) {
    this.target = target;
    this.tls = tls;
    this.rpcTimeout = rpcTimeout;
    this.dataChannel = dataChannel;
    this.metrics = metrics;
    this.control = channelBuilder().build();
  }

  private NettyChannelBuilder channelBuilder() {
    return NettyChannelBuilder.forTarget(target, Transport.channelCredentials(tls))
        .flowControlWindow(FLOW_CONTROL_WINDOW_BYTES)
        .maxInboundMessageSize(GrpcServers.MAX_MESSAGE_BYTES)
        .keepAliveTime(GrpcServers.KEEPALIVE_SECONDS, TimeUnit.SECONDS)
        .keepAliveTimeout(GrpcServers.KEEPALIVE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  /**
   * A transfer stream's channel. Acks are handled on the I/O thread (they only release a credit). No retries: a
   * retriable call would keep early chunks for a replay, but chunk payloads wrap buffers the sender reuses once a
   * chunk is written, and a broken stream fails the migration (or reopens, in post-copy) anyway.
   */
  private ManagedChannel streamChannel() {
    return channelBuilder().directExecutor().disableRetry().build();
  }

  private MigrationPeerGrpc.MigrationPeerBlockingStub blocking() {
    return MigrationPeerGrpc.newBlockingStub(control).withDeadlineAfter(rpcTimeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  PrepareResponse prepare(PrepareRequest request) {
    PrepareResponse r = blocking().prepare(request);
    prepared = r;
    return r;
  }

  SwitchoverResponse switchover(SwitchoverRequest request) {
    return blocking().switchover(request);
  }

  void commit(CommitRequest request) {
    blocking().commit(request);
  }

  void abort(AbortRequest request) {
    blocking().abort(request);
  }

  RecoverResponse recover(RecoverRequest request) {
    return blocking().recover(request);
  }

  /** Opens {@code n} transfer streams, replacing any opened before. */
  synchronized List<ChunkStream> openStreams(String migrationId, int n, StreamTuning tuning, RateLimiter limiter) {
    closeStreamChannels();
    List<ChunkStream> streams = new ArrayList<>();
    PrepareResponse p = prepared;
    if (dataChannel != null && p != null && !p.getDataEndpoint().isBlank()) {
      HostPort endpoint = HostPort.parse(p.getDataEndpoint());
      for (int i = 0; i < n; i++) {
        streams.add(SocketChunkStream.open(dataChannel, endpoint.host(), endpoint.port(), migrationId, i,
            p.getDataToken(), tuning, limiter, rpcTimeout));
      }
      dataStreams.addAll(streams);
      counted(MigrationMetrics.Transport.DATA_CHANNEL, n);
      return streams;
    }
    for (int i = 0; i < n; i++) {
      ManagedChannel ch = streamChannel();
      streamChannels.add(ch);
      streams.add(new GrpcChunkStream(MigrationPeerGrpc.newStub(ch), migrationId, i, tuning, limiter));
    }
    counted(MigrationMetrics.Transport.GRPC, n);
    return streams;
  }

  private void counted(MigrationMetrics.Transport transport, int n) {
    if (metrics != null) {
      metrics.streamsOpened(transport, n);
    }
  }

  private void closeStreamChannels() {
    streamChannels.forEach(GrpcServers::shutdown);
    streamChannels.clear();
    dataStreams.forEach(s -> s.cancel("stream replaced or migration ended"));
    dataStreams.clear();
  }

  @Override
  public synchronized void close() {
    closeStreamChannels();
    GrpcServers.shutdown(control);
  }
}
