package io.ferry.hostagent.migration.transfer;

import io.ferry.v1.MigrationPeerGrpc;
import io.ferry.v1.TransferAck;
import io.ferry.v1.TransferChunk;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;

/**
 * A transfer stream as one {@code MigrationPeer.Transfer} call (destinations without a data channel).
 *
 * <p>A chunk is handed to the call only while the call is ready, so it is serialized at once (a call that is not
 * ready yet would hold the message and serialize it later, after the sender reused the buffer its payload wraps;
 * the destination's CRC check would then refuse it). Readiness also bounds what waits in the transport.
 */
public final class GrpcChunkStream extends ChunkStream {
  /** Bytes the transport may hold for this call before it stops being ready. */
  static final int READY_THRESHOLD_BYTES = 4 << 20;

  private final ClientCallStreamObserver<TransferChunk> call;

  public GrpcChunkStream(MigrationPeerGrpc.MigrationPeerStub stub, String migrationId, int streamId,
                         StreamTuning tuning, RateLimiter limiter) {
    super(migrationId, streamId, tuning, limiter);
    Acks acks = new Acks();
    stub.withOnReadyThreshold(READY_THRESHOLD_BYTES).transfer(acks);
    this.call = acks.requestStream;
  }

  @Override
  protected boolean transportReady() {
    return call.isReady();
  }

  @Override
  protected void transmit(TransferChunk chunk) {
    call.onNext(chunk);
  }

  @Override
  protected void endTransport() {
    call.onCompleted();
  }

  @Override
  protected void breakOff(String reason) {
    call.cancel(reason, null);
  }

  private final class Acks implements ClientResponseObserver<TransferChunk, TransferAck> {
    ClientCallStreamObserver<TransferChunk> requestStream;

    @Override
    public void beforeStart(ClientCallStreamObserver<TransferChunk> stream) {
      this.requestStream = stream;
      stream.setOnReadyHandler(GrpcChunkStream.this::wake);
    }

    @Override
    public void onNext(TransferAck ack) {
      acknowledged();
    }

    @Override
    public void onError(Throwable t) {
      Status s = Status.fromThrowable(t);
      fail("destination ended transfer stream " + streamId() + ": " + s.getCode()
          + (s.getDescription() == null ? "" : " " + s.getDescription()));
    }

    @Override
    public void onCompleted() {
      if (unacknowledged()) {
        fail("destination closed transfer stream " + streamId() + " with chunks unacknowledged");
      }
      wake();
    }
  }
}
