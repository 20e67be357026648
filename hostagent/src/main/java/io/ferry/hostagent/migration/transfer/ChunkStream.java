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
 * One {@code MigrationPeer.Transfer} call: numbers its chunks from 1, keeps at most {@code window} of them
 * unacknowledged (back-pressure), and records the first failure the destination reports. Used by one thread.
 */
public final class ChunkStream {
  private final String migrationId;
  private final int streamId;
  private final int window;
  private final Semaphore credits;
  private final RateLimiter limiter;
  private final UnaryOperator<TransferChunk> tamper;
  private final ClientCallStreamObserver<TransferChunk> call;
  private volatile String failure;
  private long sequence;
  private long bytesSent;

  public ChunkStream(MigrationPeerGrpc.MigrationPeerStub stub, String migrationId, int streamId, int window, RateLimiter limiter,
                     UnaryOperator<TransferChunk> tamper) {
    this.migrationId = migrationId;
    this.streamId = streamId;
    this.window = window;
    this.credits = new Semaphore(window);
    this.limiter = limiter;
    this.tamper = tamper;
    Acks acks = new Acks();
    stub.transfer(acks);
    this.call = acks.requestStream;
  }

  public int streamId() {
    return streamId;
  }

  /** Chunks sent so far on this stream. */
  public long sent() {
    return sequence;
  }

  public long bytesSent() {
    return bytesSent;
  }

  /** The destination's error, or null while healthy. */
  public String failure() {
    return failure;
  }

  /** Sends one chunk; false when the stream failed or {@code stop} said so while waiting. */
  public boolean send(TransferChunk.Builder chunk, BooleanSupplier stop) {
    int size = chunk.getPayload().size() + 48;
    if (!limiter.acquire(size, () -> stop.getAsBoolean() || failure != null) || !acquireCredit(stop)) {
      return false;
    }
    TransferChunk c = tamper.apply(chunk.setMigrationId(migrationId).setSequence(++sequence).setStream(streamId).build());
    call.onNext(c);
    bytesSent += size;
    return true;
  }

  /** Waits until every chunk sent is acknowledged. */
  public boolean drain(BooleanSupplier stop) {
    if (!awaitCredits(window, stop)) {
      return false;
    }
    credits.release(window);
    return true;
  }

  public void complete() {
    if (failure == null) {
      call.onCompleted();
    }
  }

  public void cancel(String reason) {
    if (failure == null) {
      failure = "cancelled: " + reason;
    }
    call.cancel(reason, null);
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
    }

    @Override
    public void onCompleted() {
      if (credits.availablePermits() < window) {
        failure = "destination closed transfer stream " + streamId + " with chunks unacknowledged";
      }
    }
  }
}
