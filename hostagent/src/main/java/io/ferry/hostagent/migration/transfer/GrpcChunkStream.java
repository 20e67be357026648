package io.ferry.hostagent.migration.transfer;

import io.ferry.v1.MigrationPeerGrpc;
import io.ferry.v1.TransferAck;
import io.ferry.v1.TransferChunk;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/**
 * A transfer stream as one {@code MigrationPeer.Transfer} call (destinations without a data channel): numbers its chunks from 1, keeps at most {@code window} of them
 * unacknowledged (back-pressure), and records the first failure the destination reports. Used by one thread.
 *
 * <p>A chunk is handed to the call only while the call is ready, so it is serialized at once (a call that is not
 * ready yet would hold the message and serialize it later, after the sender reused the buffer its payload wraps;
 * the destination's CRC check would then refuse it). Readiness also bounds what waits in the transport.
 */
public final class GrpcChunkStream implements ChunkStream {
  /** Bytes the transport may hold for this call before it stops being ready. */
  static final int READY_THRESHOLD_BYTES = 4 << 20;

  private final String migrationId;
  private final int streamId;
  private final int window;
  private final Semaphore credits;
  private final RateLimiter limiter;
  private final UnaryOperator<TransferChunk> tamper;
  private final ClientCallStreamObserver<TransferChunk> call;
  private final Object readiness = new Object();
  private volatile String failure;
  private long sequence;
  private long bytesSent;

  public GrpcChunkStream(MigrationPeerGrpc.MigrationPeerStub stub, String migrationId, int streamId, int window, RateLimiter limiter,
                     UnaryOperator<TransferChunk> tamper) {
    this.migrationId = migrationId;
    this.streamId = streamId;
    this.window = window;
    this.credits = new Semaphore(window);
    this.limiter = limiter;
    this.tamper = tamper;
    Acks acks = new Acks();
    stub.withOnReadyThreshold(READY_THRESHOLD_BYTES).transfer(acks);
    this.call = acks.requestStream;
  }

  @Override
  public int streamId() {
    return streamId;
  }

  /** Chunks sent so far on this stream. */
  @Override
  public long sent() {
    return sequence;
  }

  @Override
  public long bytesSent() {
    return bytesSent;
  }

  /** The destination's error, or null while healthy. */
  @Override
  public String failure() {
    return failure;
  }

  /** Sends one chunk; false when the stream failed or {@code stop} said so while waiting. */
  @Override
  public boolean send(TransferChunk.Builder chunk, BooleanSupplier stop) {
    int size = chunk.getPayload().size() + 48;
    if (!limiter.acquire(size, () -> stop.getAsBoolean() || failure != null) || !acquireCredit(stop)
        || !awaitReady(stop)) {
      return false;
    }
    TransferChunk c = tamper.apply(chunk.setMigrationId(migrationId).setSequence(++sequence).setStream(streamId).build());
    call.onNext(c);
    bytesSent += size;
    return true;
  }

  /** Waits until every chunk sent is acknowledged. */
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
    if (failure == null) {
      call.onCompleted();
    }
  }

  @Override
  public void cancel(String reason) {
    if (failure == null) {
      failure = "cancelled: " + reason;
    }
    call.cancel(reason, null);
  }

  private boolean awaitReady(BooleanSupplier stop) {
    if (call.isReady()) {
      return true;
    }
    synchronized (readiness) {
      while (!call.isReady()) {
        if (failure != null || stop.getAsBoolean()) {
          return false;
        }
        try {
          readiness.wait(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
    return true;
  }

  private void wakeSender() {
    synchronized (readiness) {
      readiness.notifyAll();
    }
  }

  private boolean acquireCredit(BooleanSupplier stop) {
    return awaitCredits(1, stop);
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

  private final class Acks implements ClientResponseObserver<TransferChunk, TransferAck> {
    ClientCallStreamObserver<TransferChunk> requestStream;

    @Override
    public void beforeStart(ClientCallStreamObserver<TransferChunk> stream) {
      this.requestStream = stream;
      stream.setOnReadyHandler(GrpcChunkStream.this::wakeSender);
    }

    @Override
    public void onNext(TransferAck ack) {
      credits.release();
    }

    @Override
    public void onError(Throwable t) {
      Status s = Status.fromThrowable(t);
      failure = "destination ended transfer stream " + streamId + ": " + s.getCode()
          + (s.getDescription() == null ? "" : " " + s.getDescription());
      wakeSender();
    }

    @Override
    public void onCompleted() {
      if (credits.availablePermits() < window) {
        failure = "destination closed transfer stream " + streamId + " with chunks unacknowledged";
      }
      wakeSender();
    }
  }
}
