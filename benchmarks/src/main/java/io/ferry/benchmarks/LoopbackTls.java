package io.ferry.benchmarks;

import io.ferry.common.tls.TlsMaterial;
import io.ferry.hostagent.sim.OffHeap;
import io.grpc.netty.shaded.io.netty.bootstrap.Bootstrap;
import io.grpc.netty.shaded.io.netty.bootstrap.ServerBootstrap;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.ChannelInitializer;
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
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.OpenSsl;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslHandler;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The encrypted baseline: N bytes over one mutually authenticated TLS connection on loopback, through the TLS stack
 * the agents' gRPC transport uses (gRPC's Netty, with BoringSSL when its native library loads, as gRPC prefers),
 * 1 MiB writes, no framing. What is left between this and raw TCP is the price of encryption on this machine; what
 * is left between the engine and this is Ferry's and its transport's.
 *
 * <p>Given a landing, the receivers also write every byte into it; landing in fresh memory taken as a sim
 * destination takes its guest RAM ({@link OffHeap#guestRam}: 16 MiB buffers allocated as the bytes arrive), over as
 * many connections as the engine has streams, is what any encrypted migration pays here, since a destination VM's
 * memory is always new to its host.
 */
final class LoopbackTls {
  private static final int WRITE_BYTES = 1 << 20;

  /** Throughput and which TLS implementation and cipher suite carried it. */
  record Result(double bytesPerSecond, String stack) {}

  private LoopbackTls() {}

  static Result copy(long bytes, TlsMaterial tls) {
    return copy(bytes, tls, 1, null);
  }

  /**
   * The copy over {@code connections} TLS connections at once, each carrying an equal share; the receivers write
   * the bytes into {@code landing} unless it is null (connection k's share at offset k * share; the caller releases
   * the landing).
   */
  static Result copy(long bytes, TlsMaterial tls, int connections, OffHeap landing) {
    if (connections < 1 || bytes % connections != 0) {
      throw new IllegalArgumentException(bytes + " bytes do not split into " + connections + " equal shares");
    }
    long share = bytes / connections;
    boolean epoll = Epoll.isAvailable();
    EventLoopGroup group = epoll ? new EpollEventLoopGroup(2) : new NioEventLoopGroup(2);
    try {
      SslProvider provider = OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
      SslContext serverTls = SslContextBuilder.forServer(tls.cert().toFile(), tls.key().toFile())
          .trustManager(tls.caCert().toFile()).clientAuth(ClientAuth.REQUIRE).sslProvider(provider).build();
      SslContext clientTls = SslContextBuilder.forClient().keyManager(tls.cert().toFile(), tls.key().toFile())
          .trustManager(tls.caCert().toFile()).sslProvider(provider).build();

      List<CompletableFuture<Long>> received = new ArrayList<>();
      for (int k = 0; k < connections; k++) {
        received.add(new CompletableFuture<>());
      }
      AtomicInteger accepted = new AtomicInteger();
      Class<? extends ServerChannel> serverType = epoll ? EpollServerSocketChannel.class
          : NioServerSocketChannel.class;
      Channel server = new ServerBootstrap().group(group).channel(serverType)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              int k = accepted.getAndIncrement();
              ch.pipeline().addLast(serverTls.newHandler(ch.alloc()),
                  new Counter(share, received.get(k), landing, k * share));
            }
          }).bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
      InetSocketAddress at = (InetSocketAddress) server.localAddress();
      List<Channel> clients = new ArrayList<>();
      List<Sender> senders = new ArrayList<>();
      for (int k = 0; k < connections; k++) {
        Sender sender = new Sender(share);
        senders.add(sender);
        clients.add(new Bootstrap().group(group)
            .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
            .handler(new ChannelInitializer<SocketChannel>() {
              @Override
              protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(clientTls.newHandler(ch.alloc(), at.getHostString(), at.getPort()), sender);
              }
            }).connect(at).sync().channel());
      }
      SslHandler handshake = null;
      for (Channel c : clients) {
        handshake = c.pipeline().get(SslHandler.class);
        handshake.handshakeFuture().sync();
      }
      String stack = (provider == SslProvider.OPENSSL ? "BoringSSL" : "JDK") + " "
          + handshake.engine().getSession().getProtocol() + " " + handshake.engine().getSession().getCipherSuite();
      long t0 = System.nanoTime();
      for (int k = 0; k < connections; k++) {
        clients.get(k).eventLoop().execute(senders.get(k)::pump);
      }
      long n = 0;
      for (CompletableFuture<Long> r : received) {
        n += r.get(10, TimeUnit.MINUTES);
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      for (Channel c : clients) {
        c.close().sync();
      }
      server.close().sync();
      senders.forEach(sender -> sender.block.release()); // the writes' slices are released by the transport
      return new Result(n / seconds, stack);
    } catch (Exception e) {
      throw new IllegalStateException("TLS loopback copy failed: " + e, e);
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  /**
   * Counts one connection's decrypted bytes (writing them into {@code landing} from {@code base} on, when given) and
   * completes once all arrived.
   */
  private static final class Counter extends ChannelInboundHandlerAdapter {
    private final long expected;
    private final CompletableFuture<Long> done;
    private final OffHeap landing;
    private final long base;
    private long seen;

    Counter(long expected, CompletableFuture<Long> done, OffHeap landing, long base) {
      this.expected = expected;
      this.done = done;
      this.landing = landing;
      this.base = base;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf b = (ByteBuf) msg;
      if (landing != null) {
        land(b);
      }
      seen += b.readableBytes();
      b.release();
      if (seen >= expected) {
        done.complete(seen);
      }
    }

    /** Writes {@code b} at offset {@code base + seen} of the landing memory, across its buffers' boundaries. */
    private void land(ByteBuf b) {
      int from = b.readerIndex();
      int left = (int) Math.min(b.readableBytes(), expected - seen);
      long at = base + seen;
      while (left > 0) {
        ByteBuffer target = landing.allocated((int) (at / OffHeap.GUEST_RAM_BUFFER_BYTES));
        int offset = (int) (at % OffHeap.GUEST_RAM_BUFFER_BYTES);
        int n = Math.min(left, target.capacity() - offset);
        b.getBytes(from, target.duplicate().position(offset).limit(offset + n));
        from += n;
        at += n;
        left -= n;
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      done.completeExceptionally(cause);
    }
  }

  /** Writes while the channel is writable (Netty's back-pressure), on the channel's event loop. */
  private static final class Sender extends ChannelInboundHandlerAdapter {
    private final ByteBuf block = pattern();
    private long left;
    private ChannelHandlerContext ctx;

    /** Byte {@code i} of every write is {@code (byte) i}. */
    private static ByteBuf pattern() {
      ByteBuf b = Unpooled.directBuffer(WRITE_BYTES);
      for (int i = 0; i < WRITE_BYTES; i++) {
        b.writeByte(i);
      }
      return b;
    }

    Sender(long bytes) {
      this.left = bytes;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      this.ctx = ctx;
    }

    void pump() {
      while (left > 0 && ctx.channel().isWritable()) {
        int n = (int) Math.min(WRITE_BYTES, left);
        ctx.write(block.retainedSlice(0, n));
        left -= n;
      }
      ctx.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (ctx.channel().isWritable()) {
        pump();
      }
      ctx.fireChannelWritabilityChanged();
    }
  }
}
