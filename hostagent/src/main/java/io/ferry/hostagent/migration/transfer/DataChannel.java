package io.ferry.hostagent.migration.transfer;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.MessageLite;
import io.ferry.common.tls.TlsMaterial;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.ByteBufAllocator;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.ServerChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.SocketChannel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.handler.codec.ByteToMessageDecoder;
import io.grpc.netty.shaded.io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.OpenSsl;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslHandler;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLParameters;

/**
 * The agents' migration data channel: transfer streams as their own TCP connections, mutually authenticated with the
 * cluster certificates (TLS 1.3, BoringSSL when gRPC's Netty ships it, as for the agents' gRPC), each frame a 4-byte
 * length and a protobuf message: a {@code DataChannelHello}, then {@code TransferChunk}s, then an empty frame that
 * ends the stream; {@code TransferAck}s flow back. gRPC's HTTP/2 framing, flow control and per-message work made
 * the engine about a quarter slower (docs/benchmarks.md, "streams as gRPC Transfer calls"); control calls stay on
 * gRPC.
 *
 * <p>Uses the Netty that gRPC shades, so the data channel runs on the same event-loop implementation and TLS library
 * as the rest of the agent.
 */
public final class DataChannel implements AutoCloseable {
  /** Largest frame accepted: a chunk of 1024 pages plus its fields. */
  public static final int MAX_FRAME_BYTES = (4 << 20) + 4096;
  private static final int LENGTH_BYTES = 4;

  private final EventLoopGroup group;
  private final boolean epoll;
  private final SslContext serverTls;
  private final SslContext clientTls;

  /** A data channel with its own I/O threads; {@code tls} insecure: plain text. */
  public DataChannel(TlsMaterial tls, String name, int threads) {
    this.epoll = Epoll.isAvailable();
    DefaultThreadFactory factory = new DefaultThreadFactory("data-channel-" + name, true);
    this.group = epoll ? new EpollEventLoopGroup(threads, factory) : new NioEventLoopGroup(threads, factory);
    if (tls.insecure()) {
      this.serverTls = null;
      this.clientTls = null;
      return;
    }
    SslProvider provider = OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    try {
      this.serverTls = SslContextBuilder.forServer(tls.cert().toFile(), tls.key().toFile())
          .trustManager(tls.caCert().toFile()).clientAuth(ClientAuth.REQUIRE).sslProvider(provider).build();
      this.clientTls = SslContextBuilder.forClient().keyManager(tls.cert().toFile(), tls.key().toFile())
          .trustManager(tls.caCert().toFile()).sslProvider(provider).build();
    } catch (IOException | RuntimeException e) {
      group.shutdownGracefully();
      throw new IllegalStateException("data channel: cannot load TLS certificate " + tls.cert() + ": "
          + e.getMessage(), e);
    }
  }

  EventLoopGroup group() {
    return group;
  }

  Class<? extends SocketChannel> socketType() {
    return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
  }

  public Class<? extends ServerChannel> serverType() {
    return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  public EventLoopGroup eventLoops() {
    return group;
  }

  /** The handlers every connection starts with, server side: TLS (unless plain text), then framing. */
  public List<ChannelHandler> serverHandlers(SocketChannel ch) {
    List<ChannelHandler> h = new ArrayList<>();
    if (serverTls != null) {
      h.add(serverTls.newHandler(ch.alloc()));
    }
    h.add(framing());
    return h;
  }

  List<ChannelHandler> clientHandlers(SocketChannel ch, String host, int port) {
    List<ChannelHandler> h = new ArrayList<>();
    if (clientTls != null) {
      SslHandler tls = clientTls.newHandler(ch.alloc(), host, port);
      // as gRPC does for the agents' calls: the destination's certificate must name the host the source dials
      SSLParameters p = tls.engine().getSSLParameters();
      p.setEndpointIdentificationAlgorithm("HTTPS");
      tls.engine().setSSLParameters(p);
      h.add(tls);
    }
    h.add(framing());
    return h;
  }

  /**
   * Length-prefixed frames, gathered without copying: a frame is a view of the buffers the transport (or TLS)
   * delivered, which the receiver reads in place. Merging them into one buffer cost a pass over every byte; an idle
   * 1 GiB migration between two agents on one 2-core machine ran about 7 % faster without it.
   */
  private static ChannelHandler framing() {
    LengthFieldBasedFrameDecoder d = new LengthFieldBasedFrameDecoder(MAX_FRAME_BYTES, 0, LENGTH_BYTES, 0,
        LENGTH_BYTES);
    d.setCumulator(ByteToMessageDecoder.COMPOSITE_CUMULATOR);
    return d;
  }

  /** One frame: the message's length, then the message, serialized now (its payload may wrap a reused buffer). */
  public static ByteBuf frame(ByteBufAllocator alloc, MessageLite m) {
    int size = m.getSerializedSize();
    ByteBuf buf = alloc.directBuffer(LENGTH_BYTES + size);
    buf.writeInt(size);
    try {
      CodedOutputStream out = CodedOutputStream.newInstance(buf.nioBuffer(LENGTH_BYTES, size));
      m.writeTo(out);
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      buf.release();
      throw new UncheckedIOException(e);
    }
    buf.writerIndex(LENGTH_BYTES + size);
    return buf;
  }

  /** The empty frame that ends a stream. */
  static ByteBuf end(ByteBufAllocator alloc) {
    return alloc.directBuffer(LENGTH_BYTES).writeInt(0);
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS);
  }
}
