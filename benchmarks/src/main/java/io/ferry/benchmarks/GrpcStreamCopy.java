package io.ferry.benchmarks;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.ferry.common.grpc.GrpcServers;
import io.ferry.common.tls.TlsMaterial;
import io.ferry.common.tls.Transport;
import io.ferry.v1.MigrationPeerGrpc;
import io.ferry.v1.TransferAck;
import io.ferry.v1.TransferChunk;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * What the migration transport costs without the engine: {@code MigrationPeer.Transfer} streams carrying chunks of
 * the engine's size from one buffer to a receiver that only acknowledges them (no guest memory, no checksums), with
 * the agents' server and channel settings. The engine cannot be faster than this.
 */
final class GrpcStreamCopy {
  private GrpcStreamCopy() {}

  /** Bytes of payload per second of sending {@code bytes} over {@code streams} streams. */
  static double throughputBytesPerSecond(long bytes, int chunkBytes, int streams, TlsMaterial tls) {
    Server server = GrpcServers.start("bench-grpc-copy", "127.0.0.1", 0, tls, List.of(new Acknowledger()));
    List<ManagedChannel> channels = new ArrayList<>();
    try {
      byte[] payload = new byte[chunkBytes];
      new Random(1).nextBytes(payload);
      ByteString p = UnsafeByteOperations.unsafeWrap(payload);
      long perStream = bytes / chunkBytes / streams;
      List<CompletableFuture<Void>> done = new ArrayList<>();
      long t0 = System.nanoTime();
      for (int s = 0; s < streams; s++) {
        ManagedChannel ch = NettyChannelBuilder.forTarget("localhost:" + server.getPort(),
                Transport.channelCredentials(tls))
            .flowControlWindow(8 << 20).directExecutor().disableRetry().build();
        channels.add(ch);
        CompletableFuture<Void> f = new CompletableFuture<>();
        done.add(f);
        MigrationPeerGrpc.newStub(ch).withOnReadyThreshold(4 << 20).transfer(new Sender(p, perStream, f));
      }
      CompletableFuture.allOf(done.toArray(new CompletableFuture[0])).get();
      double seconds = (System.nanoTime() - t0) / 1e9;
      return perStream * streams * chunkBytes / seconds;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("gRPC stream copy failed: " + e.getCause(), e.getCause());
    } finally {
      channels.forEach(GrpcServers::shutdown);
      GrpcServers.shutdown(server);
    }
  }

  /** Sends {@code chunks} chunks whenever the call is ready, then completes. */
  private static final class Sender implements ClientResponseObserver<TransferChunk, TransferAck> {
    private final ByteString payload;
    private final long chunks;
    private final CompletableFuture<Void> done;
    private long sent;

    Sender(ByteString payload, long chunks, CompletableFuture<Void> done) {
      this.payload = payload;
      this.chunks = chunks;
      this.done = done;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<TransferChunk> call) {
      call.setOnReadyHandler(() -> {
        while (call.isReady() && sent < chunks) {
          call.onNext(TransferChunk.newBuilder().setSequence(++sent).setPayload(payload).build());
        }
        if (sent == chunks) {
          sent++;
          call.onCompleted();
        }
      });
    }

    @Override
    public void onNext(TransferAck ack) {
    }

    @Override
    public void onError(Throwable t) {
      done.completeExceptionally(t);
    }

    @Override
    public void onCompleted() {
      done.complete(null);
    }
  }

  private static final class Acknowledger extends MigrationPeerGrpc.MigrationPeerImplBase {
    @Override
    public StreamObserver<TransferChunk> transfer(StreamObserver<TransferAck> acks) {
      return new StreamObserver<>() {
        @Override
        public void onNext(TransferChunk c) {
          acks.onNext(TransferAck.newBuilder().setSequence(c.getSequence()).build());
        }

        @Override
        public void onError(Throwable t) {
        }

        @Override
        public void onCompleted() {
          acks.onCompleted();
        }
      };
    }
  }
}
