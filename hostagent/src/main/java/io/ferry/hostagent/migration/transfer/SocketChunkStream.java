package io.ferry.hostagent.migration.transfer;

import com.google.protobuf.ByteString;
import io.ferry.common.HostPort;
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

/**
 * A transfer stream over the destination's data channel ({@link DataChannel}): one connection, a hello naming the
 * migration, stream and the migration's secret, then length-prefixed chunks; the destination acknowledges each.
 * A connection that cannot be made gives a stream that has already failed (the migration rolls back with the reason).
 */
public final class SocketChunkStream extends ChunkStream {
  /** Bytes the connection may hold unsent before the sender waits (with the credit window, the back-pressure). */
  static final int HIGH_WATER_BYTES = 4 << 20;

  /** "data channel stream N to host:port", the start of every reason this stream gives for failing. */
  private final String name;
  private volatile Channel channel;

  private SocketChunkStream(String migrationId, int streamId, HostPort endpoint, StreamTuning tuning,
                            RateLimiter limiter) {
    super(migrationId, streamId, tuning, limiter);
    this.name = "data channel stream " + streamId + " to " + endpoint;
  }

  /** Connects to {@code host:port} and sends the hello; waits at most {@code connectTimeout}. */
  public static SocketChunkStream open(DataChannel dc, String host, int port, String migrationId, int streamId,
                                       ByteString token, StreamTuning tuning, RateLimiter limiter,
                                       Duration connectTimeout) {
    SocketChunkStream s = new SocketChunkStream(migrationId, streamId, new HostPort(host, port), tuning, limiter);
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
      s.fail("cannot open " + s.name + ": " + (connect.cause() == null ? "timed out" : why(connect.cause())));
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
  protected boolean transportReady() {
    return channel.isWritable();
  }

  @Override
  protected void transmit(TransferChunk chunk) {
    channel.writeAndFlush(DataChannel.frame(channel.alloc(), chunk)).addListener(f -> {
      if (!f.isSuccess()) {
        fail(name + ": write failed: " + why(f.cause()));
      }
    });
  }

  @Override
  protected void endTransport() {
    channel.writeAndFlush(DataChannel.end(channel.alloc())).addListener(f -> channel.close());
  }

  @Override
  protected void breakOff(String reason) {
    if (channel != null) {
      channel.close();
    }
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
        fail("destination ended transfer stream " + streamId() + ": " + ack.getError());
        ctx.close();
        return;
      }
      acknowledged();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      wake();
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (!ended() || unacknowledged()) {
        fail("destination closed " + name + (unacknowledged() ? " with chunks unacknowledged" : ""));
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
