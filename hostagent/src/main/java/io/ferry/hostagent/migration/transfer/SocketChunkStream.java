package io.ferry.hostagent.migration.transfer;

import com.google.protobuf.ByteString;
import io.ferry.v1.DataChannelHello;
import io.ferry.v1.TransferAck;
import io.ferry.v1.TransferChunk;
import io.grpc.netty.shaded.io.netty.bootstrap.Bootstrap;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.ByteBufInputStream;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelFuture;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.ChannelInitializer;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.WriteBufferWaterMark;
import io.grpc.netty.shaded.io.netty.channel.socket.SocketChannel;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/**
 * A transfer stream over the destination's data channel ({@link DataChannel}): one connection, a hello naming the
 * migration, stream and the migration's secret, then length-prefixed chunks; the destination acknowledges each.
 * A connection that cannot be made gives a stream that has already failed (the migration rolls back with the reason).
 */
public final class SocketChunkStream implements ChunkStream {
  /** Bytes the connection may hold unsent before the sender waits (with the credit window, the back-pressure). */
  static final int HIGH_WATER_BYTES = 4 << 20;

  private final String migrationId;
  private final int streamId;
  /** "data channel stream N to host:port", the start of every reason this stream gives for failing. */
  private final String name;
  private final int window;
  private final Semaphore credits;
  private final RateLimiter limiter;
  private final UnaryOperator<TransferChunk> tamper;
  private final Object writable = new Object();
  private volatile Channel channel;
  private volatile String failure;
  private volatile boolean ended;
  private long sequence;
  private long bytesSent;

  private SocketChunkStream(String migrationId, int streamId, String endpoint, int window, RateLimiter limiter,
                            UnaryOperator<TransferChunk> tamper) {
    this.migrationId = migrationId;
    this.streamId = streamId;
    this.name = "data channel stream " + streamId + " to " + endpoint;
    this.window = window;
    this.credits = new Semaphore(window);
    this.limiter = limiter;
    this.tamper = tamper;
  }

  /** Connects to {@code host:port} and sends the hello; waits at most {@code connectTimeout}. */
  public static SocketChunkStream open(DataChannel dc, String host, int port, String migrationId, int streamId,
                                       ByteString token, int window, RateLimiter limiter,
                                       UnaryOperator<TransferChunk> tamper, Duration connectTimeout) {
    SocketChunkStream s = new SocketChunkStream(migrationId, streamId, new io.ferry.common.HostPort(host, port)
        .toString(), window, limiter, tamper);
    ChannelFuture connect = new Bootstrap().group(dc.group()).channel(dc.socketType())
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
        .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(HIGH_WATER_BYTES / 2,
            HIGH_WATER_BYTES))
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            dc.clientHandlers(ch, host, port).forEach(h -> ch.pipeline().addLast(h));
            ch.pipeline().addLast(s.new Acks());
          }
        }).connect(host, port);
    if (!connect.awaitUninterruptibly(connectTimeout.toMillis() + 1000) || !connect.isSuccess()) {
      connect.channel().close();
      s.failure = "cannot open " + s.name + ": " + (connect.cause() == null ? "timed out" : why(connect.cause()));
      return s;
    }
    s.channel = connect.channel();
    s.channel.writeAndFlush(DataChannel.frame(s.channel.alloc(), DataChannelHello.newBuilder()
        .setMigrationId(migrationId).setStream(streamId).setToken(token).build()));
    return s;
  }

  /** The innermost reason (a failed handshake's certificate complaint, not "General OpenSslEngine problem"). */
  private static String why(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String tls = t instanceof javax.net.ssl.SSLException || root instanceof java.security.cert.CertificateException
        ? "TLS handshake failed: " : "";
    return tls + (root.getMessage() != null ? root.getMessage() : root.toString());
  }

  @Override
  public int streamId() {
    return streamId;
  }

  @Override
  public long sent() {
    return sequence;
  }

  @Override
  public long bytesSent() {
    return bytesSent;
  }

  @Override
  public String failure() {
    return failure;
  }

  @Override
  public boolean send(TransferChunk.Builder chunk, BooleanSupplier stop) {
    if (failure != null) {
      return false;
    }
    int size = chunk.getPayload().size() + 48;
    if (!limiter.acquire(size, () -> stop.getAsBoolean() || failure != null) || !awaitCredits(1, stop)
        || !awaitWritable(stop)) {
      return false;
    }
    TransferChunk c = tamper.apply(chunk.setMigrationId(migrationId).setSequence(++sequence).setStream(streamId)
        .build());
    channel.writeAndFlush(DataChannel.frame(channel.alloc(), c)).addListener(f -> {
      if (!f.isSuccess()) {
        fail(name + ": write failed: " + why(f.cause()));
      }
    });
    bytesSent += size;
    return true;
  }

  @Override
  public boolean drain(BooleanSupplier stop) {
    if (!awaitCredits(window, stop)) {
      return false;
    }
    credits.release(window);
    return true;
  }

  @Override
  public void complete() {
    if (failure == null && channel != null) {
      ended = true;
      channel.writeAndFlush(DataChannel.end(channel.alloc())).addListener(f -> channel.close());
    }
  }

  @Override
  public void cancel(String reason) {
    if (ended && failure == null) {
      return; // completed: the end frame closes the connection
    }
    if (failure == null) {
      failure = "cancelled: " + reason;
    }
    ended = true;
    if (channel != null) {
      channel.close();
    }
    wake();
  }

  private void fail(String why) {
    if (failure == null) {
      failure = why;
    }
    wake();
  }

  private void wake() {
    synchronized (writable) {
      writable.notifyAll();
    }
  }

  private boolean awaitWritable(BooleanSupplier stop) {
    if (channel.isWritable()) {
      return true;
    }
    synchronized (writable) {
      while (!channel.isWritable()) {
        if (failure != null || stop.getAsBoolean()) {
          return false;
        }
        try {
          writable.wait(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
    return true;
  }

  /** Takes {@code n} credits, giving up when the stream fails or {@code stop} says so. */
  private boolean awaitCredits(int n, BooleanSupplier stop) {
    while (failure == null) {
      try {
        if (credits.tryAcquire(n, 50, TimeUnit.MILLISECONDS)) {
          return true;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      if (stop.getAsBoolean()) {
        return false;
      }
    }
    return false;
  }

  /** The destination's acknowledgements, and its reason when it ends the stream. */
  private final class Acks extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf frame = (ByteBuf) msg;
      TransferAck ack;
      try (ByteBufInputStream in = new ByteBufInputStream(frame, true)) {
        ack = TransferAck.parseFrom(in);
      } catch (IOException e) {
        fail(name + ": malformed acknowledgement: " + e.getMessage());
        ctx.close();
        return;
      }
      if (!ack.getError().isEmpty()) {
        fail("destination ended transfer stream " + streamId + ": " + ack.getError());
        ctx.close();
        return;
      }
      credits.release();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      wake();
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (!ended || credits.availablePermits() < window) {
        fail("destination closed " + name
            + (credits.availablePermits() < window ? " with chunks unacknowledged" : ""));
      }
      wake();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      fail(name + ": " + why(cause));
      ctx.close();
    }
  }
}
