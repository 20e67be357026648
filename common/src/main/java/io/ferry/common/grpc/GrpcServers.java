package io.ferry.common.grpc;

import io.ferry.common.FerryException;
import io.ferry.common.tls.TlsMaterial;
import io.ferry.common.tls.Transport;
import io.grpc.BindableService;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/** Builds gRPC servers and channels with Ferry's transport security, and turns bind failures into clear errors. */
public final class GrpcServers {
  /** Largest message a Ferry server accepts; migration chunks stay well below it. */
  public static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
  /**
   * Both ends of every Ferry connection ping the other after this much silence and drop the connection when the
   * ping is not answered within {@link #KEEPALIVE_TIMEOUT_SECONDS}: a peer that vanished without closing (a cut
   * link, a frozen host) is noticed within about 10 s instead of never.
   */
  public static final long KEEPALIVE_SECONDS = 5;
  public static final long KEEPALIVE_TIMEOUT_SECONDS = 5;

  /** Initial HTTP/2 flow-control window of servers, per stream and connection. */
  public static final int INITIAL_FLOW_CONTROL_WINDOW_BYTES = 8 * 1024 * 1024;

  private GrpcServers() {}

  /**
   * Starts a server on {@code bindHost:port} (0 = any free port) with the given services and the standard
   * gRPC health service.
   */
  public static Server start(String role, String bindHost, int port, TlsMaterial tls,
                             List<BindableService> services) {
    NettyServerBuilder b = bindHost != null && !bindHost.isBlank() && !"0.0.0.0".equals(bindHost)
        ? NettyServerBuilder.forAddress(new InetSocketAddress(bindHost, port), Transport.serverCredentials(tls, role))
        : NettyServerBuilder.forPort(port, Transport.serverCredentials(tls, role));
    b.maxInboundMessageSize(MAX_MESSAGE_BYTES)
        .keepAliveTime(KEEPALIVE_SECONDS, TimeUnit.SECONDS)
        .keepAliveTimeout(KEEPALIVE_TIMEOUT_SECONDS, TimeUnit.SECONDS)
        // Ferry's clients ping as often as the server does: allow it, also on connections without calls
        .permitKeepAliveTime(KEEPALIVE_SECONDS - 1, TimeUnit.SECONDS)
        .permitKeepAliveWithoutCalls(true);
    // A client may have only one window of bytes in flight per stream, replenished as the receiver consumes them:
    // the 1 MiB default holds four migration chunks, and auto-tuning grows it only for long round trips, so bulk
    // streams on a fast local link stall on it. Start larger; auto-tuning stays on.
    b.initialFlowControlWindow(INITIAL_FLOW_CONTROL_WINDOW_BYTES);
    HealthStatusManager health = new HealthStatusManager();
    b.addService(health.getHealthService());
    for (BindableService s : services) {
      b.addService(MalformedRequests.guard(s.bindService()));
    }
    Set<String> inline = new HashSet<>();
    services.stream().filter(InlineMethods.class::isInstance)
        .forEach(s -> inline.addAll(((InlineMethods) s).inlineMethods()));
    if (!inline.isEmpty()) {
      b.callExecutor(new ServerCallExecutorSupplier() {
        @Override
        public <ReqT, RespT> Executor getExecutor(ServerCall<ReqT, RespT> call, Metadata headers) {
          return inline.contains(call.getMethodDescriptor().getFullMethodName()) ? Runnable::run : null;
        }
      });
    }
    Server server = b.build();
    try {
      return server.start();
    } catch (IOException e) {
      if (isBindFailure(e)) {
        throw new FerryException(role + ": port " + port + " on " + (bindHost == null ? "*" : bindHost)
            + " is already in use: stop the process using it or choose another port");
      }
      throw new FerryException(role + ": cannot start gRPC server on port " + port + ": " + e.getMessage(), e);
    }
  }

  private static boolean isBindFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException || String.valueOf(t.getMessage()).contains("Address already in use")) {
        return true;
      }
    }
    return false;
  }

  /** A channel to {@code target} (host:port) with the process' transport security. */
  public static ManagedChannel channel(String target, TlsMaterial tls) {
    return Grpc.newChannelBuilder(target, Transport.channelCredentials(tls))
        .maxInboundMessageSize(MAX_MESSAGE_BYTES)
        .keepAliveTime(KEEPALIVE_SECONDS, TimeUnit.SECONDS)
        .keepAliveTimeout(KEEPALIVE_TIMEOUT_SECONDS, TimeUnit.SECONDS)
        .build();
  }

  public static void shutdown(Server server) {
    if (server == null) {
      return;
    }
    server.shutdown();
    try {
      if (!server.awaitTermination(3, TimeUnit.SECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  public static void shutdown(ManagedChannel channel) {
    if (channel == null) {
      return;
    }
    channel.shutdownNow();
    try {
      channel.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
