package io.ferry.hostagent.migration;

import io.ferry.hostagent.migration.transfer.DataChannel;
import io.ferry.hostagent.migration.transfer.ReceivedChunk;
import io.ferry.v1.DataChannelHello;
import io.ferry.v1.TransferAck;
import io.grpc.Status;
import io.grpc.netty.shaded.io.netty.bootstrap.ServerBootstrap;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.ByteBufInputStream;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelFutureListener;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.ChannelInitializer;
import io.grpc.netty.shaded.io.netty.channel.socket.SocketChannel;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.Arrays;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The destination's end of the data channel: accepts connections, checks each one's hello against a prepared
 * incoming migration and its secret, then hands the chunks to the same receiver a {@code Transfer} call has (order
 * check, checksum, copy into guest memory, acknowledgement), on the connection's I/O thread, reading each chunk in
 * place from the frame. A connection that ends without the end frame counts as a broken stream. A connection whose
 * migration is over ({@link IncomingMigration#connectionsStale}) is closed within a quarter of the incoming idle
 * timeout: a source whose host vanished without closing its connections would otherwise leave them open for this
 * agent's lifetime.
 */
final class DataChannelServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DataChannelServer.class);
  private static final Duration LINGER = Duration.ofSeconds(10);
  /** A connection that has not said which migration it belongs to by then is closed (sources say so at once). */
  static final Duration HELLO_DEADLINE = Duration.ofSeconds(10);

  private final Duration helloDeadline;
  private final Duration incomingIdleTimeout;

  private final String hostName;
  private final IncomingMigrations incoming;
  private final Function<StreamObserver<TransferAck>, StreamObserver<ReceivedChunk>> receivers;
  private final Channel server;

  DataChannelServer(DataChannel dc, String hostName, String bindHost, int port, IncomingMigrations incoming,
                    Function<StreamObserver<TransferAck>, StreamObserver<ReceivedChunk>> receivers,
                    Duration incomingIdleTimeout) {
    this(dc, hostName, bindHost, port, incoming, receivers, HELLO_DEADLINE, incomingIdleTimeout);
  }

  DataChannelServer(DataChannel dc, String hostName, String bindHost, int port, IncomingMigrations incoming,
                    Function<StreamObserver<TransferAck>, StreamObserver<ReceivedChunk>> receivers,
                    Duration helloDeadline, Duration incomingIdleTimeout) {
    this.helloDeadline = helloDeadline;
    this.incomingIdleTimeout = incomingIdleTimeout;
    this.hostName = hostName;
    this.incoming = incoming;
    this.receivers = receivers;
    try {
      this.server = new ServerBootstrap().group(dc.eventLoops()).channel(dc.serverType())
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              dc.serverHandlers(ch).forEach(h -> ch.pipeline().addLast(h));
              ch.pipeline().addLast(new Connection());
            }
          }).bind(bindHost, port).sync().channel();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while binding the data channel");
    } catch (Exception e) { // Netty rethrows the bind's IOException undeclared
      throw new IllegalStateException("cannot listen for migration data on " + bindHost + ":" + port + ": "
          + e.getMessage(), e);
    }
  }

  int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
  }

  /** One data channel connection: a hello, chunks, the end frame. */
  private final class Connection extends ChannelInboundHandlerAdapter {
    private StreamObserver<ReceivedChunk> receiver;
    private boolean done;
    private ScheduledFuture<?> orphaned;

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      ctx.executor().schedule(() -> {
        if (receiver == null && !done) {
          log.warn("{}: closed a data channel connection from {}: no hello within {} ms", hostName,
              ctx.channel().remoteAddress(), helloDeadline.toMillis());
          done = true;
          ctx.close();
        }
      }, helloDeadline.toMillis(), TimeUnit.MILLISECONDS);
      ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf frame = (ByteBuf) msg;
      if (done) {
        frame.release();
        return;
      }
      if (receiver == null) {
        hello(ctx, frame);
        return;
      }
      int size = frame.readableBytes();
      if (size == 0) {
        frame.release();
        done = true;
        receiver.onCompleted();
        return;
      }
      ReceivedChunk chunk;
      try {
        chunk = ReceivedChunk.lent(Arrays.asList(frame.nioBuffers()), size, frame::release);
      } catch (RuntimeException e) {
        refuse(ctx, "malformed transfer chunk: " + e.getMessage());
        return;
      }
      receiver.onNext(chunk);
    }

    private void hello(ChannelHandlerContext ctx, ByteBuf frame) {
      DataChannelHello hello;
      try (ByteBufInputStream in = new ByteBufInputStream(frame, true)) {
        hello = DataChannelHello.parseFrom(in);
      } catch (IOException e) {
        refuse(ctx, "malformed data channel hello: " + e.getMessage());
        return;
      }
      IncomingSide side = incoming.find(hello.getMigrationId()).orElse(null);
      if (!(side instanceof IncomingMigration m) || !m.acceptsDataToken(hello.getToken().toByteArray())) {
        log.warn("{}: refused a data channel connection from {} for migration {}: {}", hostName,
            ctx.channel().remoteAddress(), hello.getMigrationId(), side == null ? "no such incoming migration"
                : "wrong secret");
        refuse(ctx, side == null ? "no incoming migration " + hello.getMigrationId() + " on " + hostName
            : "data channel secret does not match migration " + hello.getMigrationId());
        return;
      }
      receiver = receivers.apply(new Acks(ctx));
      long every = IncomingMigrations.checkPeriod(incomingIdleTimeout).toNanos();
      orphaned = ctx.executor().scheduleWithFixedDelay(() -> {
        if (!done && m.connectionsStale(incomingIdleTimeout.toNanos())) {
          log.info("{}: closing a data channel connection from {}: migration {} is {}", hostName,
              ctx.channel().remoteAddress(), m.migrationId(), m.state());
          endWith(ctx, "migration " + m.migrationId() + " is " + m.state() + " on " + hostName
              + ": its data channel connections are closed");
        }
      }, every, every, TimeUnit.NANOSECONDS);
    }

    private void refuse(ChannelHandlerContext ctx, String why) {
      endWith(ctx, why);
    }

    /**
     * Tells the source why the stream ends and lets the source close: closing here while its chunks still arrive
     * would answer them with a reset, which can discard the reason before the source reads it. Later chunks are
     * dropped; the connection is closed here after {@link #LINGER} if the source does not.
     */
    private void endWith(ChannelHandlerContext ctx, String why) {
      done = true;
      ctx.writeAndFlush(DataChannel.frame(ctx.alloc(), TransferAck.newBuilder().setError(why).build()));
      ctx.executor().schedule(() -> ctx.close(), LINGER.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (orphaned != null) {
        orphaned.cancel(false);
      }
      if (receiver != null && !done) {
        done = true;
        receiver.onError(Status.UNAVAILABLE.withDescription("data channel connection closed").asRuntimeException());
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (done || cause instanceof IOException || tlsBroken(cause)) {
        // the connection itself broke (reset, failed TLS): nobody to tell; channelInactive tells the receiver
        log.debug("{}: data channel connection from {}: {}", hostName, ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
        return;
      }
      // a frame this side cannot take, or an error while applying one (out of memory, say): the source must hear why
      String why = "destination " + hostName + " ended the data channel connection: " + cause;
      log.warn("{}: data channel connection from {}: {}", hostName, ctx.channel().remoteAddress(), why, cause);
      if (receiver != null) {
        receiver.onError(Status.INTERNAL.withDescription(why).withCause(cause).asRuntimeException());
      }
      endWith(ctx, why);
    }

    private static boolean tlsBroken(Throwable cause) {
      for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
        if (t instanceof javax.net.ssl.SSLException) {
          return true;
        }
      }
      return false;
    }

    /** Acknowledgements (and the reason the receiver ends the stream) as frames back to the source. */
    private final class Acks implements StreamObserver<TransferAck> {
      private final ChannelHandlerContext ctx;

      Acks(ChannelHandlerContext ctx) {
        this.ctx = ctx;
      }

      @Override
      public void onNext(TransferAck ack) {
        ctx.writeAndFlush(DataChannel.frame(ctx.alloc(), ack));
      }

      @Override
      public void onError(Throwable t) {
        Status s = Status.fromThrowable(t);
        endWith(ctx, s.getCode() + (s.getDescription() == null ? "" : " " + s.getDescription()));
      }

      @Override
      public void onCompleted() {
        done = true;
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      }
    }
  }
}
