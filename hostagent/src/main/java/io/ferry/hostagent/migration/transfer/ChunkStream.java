package io.ferry.hostagent.migration.transfer;

import io.ferry.v1.TransferChunk;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/**
 * One transfer stream of a migration, source side: numbers its chunks from 1, keeps at most as many of them
 * unacknowledged as its {@link AckWindow} allows (adapted to the path, at most {@code maxWindow}), waits while the
 * transport holds as much as it should, and records the first failure. Used by one sending thread; the transport's
 * threads report acknowledgements, readiness and failures.
 *
 * <p>Transports: the agents' data channel ({@link SocketChunkStream}) or, for destinations without one, a gRPC
 * {@code Transfer} call ({@link GrpcChunkStream}). They only say whether they take more now, send one chunk, end
 * the stream and break it off.
 *
 * <p>A stream whose destination acknowledges nothing for {@link StreamTuning#stallLimit} while chunks wait fails
 * with that reason: a path that drops everything without closing (a partition, a frozen middlebox) leaves both
 * connections open, and the sender would otherwise wait for the migration's timeout, or for ever in post-copy.
 */
public abstract class ChunkStream {
  /** Bytes a chunk costs beyond its payload, for the rate limiter and the byte count (framing, header fields). */
  private static final int OVERHEAD_BYTES = 48;

  private final String migrationId;
  private final int streamId;
  private final AckWindow window;
  private final RateLimiter limiter;
  private final UnaryOperator<TransferChunk> tamper;
  private final long stallNanos;
  private volatile String failure;
  private volatile boolean ended;
  private long sequence;
  private long bytesSent;

  protected ChunkStream(String migrationId, int streamId, StreamTuning tuning, RateLimiter limiter) {
    this.migrationId = migrationId;
    this.streamId = streamId;
    this.window = new AckWindow(tuning.maxWindow(), tuning.ticker());
    this.limiter = limiter;
    this.tamper = tuning.tamper();
    this.stallNanos = tuning.stallLimit().toNanos();
  }

  /** Whether the transport takes another chunk now (else the sender waits for {@link #wake}). */
  protected abstract boolean transportReady();

  /** Hands one stamped chunk to the transport; it must be serialized before this returns. */
  protected abstract void transmit(TransferChunk chunk);

  /** Ends the stream after its last chunk (the destination sees a clean end). */
  protected abstract void endTransport();

  /** Breaks the stream off (the destination sees it cut). */
  protected abstract void breakOff(String reason);

  public final int streamId() {
    return streamId;
  }

  /** Chunks sent so far on this stream. */
  public final long sent() {
    return sequence;
  }

  public final long bytesSent() {
    return bytesSent;
  }

  /** The first reason this stream failed, or null while healthy. */
  public final String failure() {
    return failure;
  }

  /**
   * Sends one chunk; false when the stream failed or {@code stop} said so while waiting. The chunk is serialized
   * before this returns: its payload may wrap a buffer the caller reuses.
   */
  public final boolean send(TransferChunk.Builder chunk, BooleanSupplier stop) {
    if (failure != null) {
      return false;
    }
    int size = chunk.getPayload().size() + OVERHEAD_BYTES;
    // the bandwidth cap is this side's own pace: only the waits for the destination look for a stall
    BooleanSupplier giveUp = waitingForDestination(stop);
    // the window's round trip starts here, so time spent waiting for the transport counts as queueing
    if (!limiter.acquire(size, () -> failure != null || stop.getAsBoolean()) || !window.acquire(giveUp)
        || !awaitTransport(giveUp)) {
      return false;
    }
    transmit(tamper.apply(chunk.setMigrationId(migrationId).setSequence(++sequence).setStream(streamId).build()));
    bytesSent += size;
    return true;
  }

  /** Waits until every chunk sent is acknowledged. */
  public final boolean drain(BooleanSupplier stop) {
    return window.awaitEmpty(waitingForDestination(stop)) && failure == null;
  }

  /** Chunks that may be unacknowledged now (the adapted window). */
  public final int window() {
    return window.limit();
  }

  /** Ends the stream after the last chunk. */
  public final void complete() {
    if (failure == null && !ended) {
      ended = true;
      endTransport();
    }
  }

  /** Breaks the stream off, unless it already ended cleanly. */
  public final void cancel(String reason) {
    if (ended && failure == null) {
      return;
    }
    fail("cancelled: " + reason);
    ended = true;
    breakOff(reason);
  }

  /** The destination acknowledged one chunk. */
  protected final void acknowledged() {
    window.acknowledged();
  }

  /** Whether chunks sent are still waiting for their acknowledgement. */
  protected final boolean unacknowledged() {
    return window.unacknowledged();
  }

  /** Whether {@link #complete} or {@link #cancel} ended the stream on this side. */
  protected final boolean ended() {
    return ended;
  }

  /** Records {@code why} unless the stream already failed, and wakes the sender. */
  protected final void fail(String why) {
    if (failure == null) {
      failure = why;
    }
    wake();
  }

  /** The transport may take more now (or failed): the waiting sender looks again. */
  protected final void wake() {
    window.wake();
  }

  /** When a wait for the destination gives up: the stream failed or stalled, or {@code stop} says so. */
  private BooleanSupplier waitingForDestination(BooleanSupplier stop) {
    return () -> failure != null || stalled() || stop.getAsBoolean();
  }

  /** Fails the stream when chunks waited longer than the stall limit without any acknowledgement; whether it did. */
  private boolean stalled() {
    long silent = window.silentNanos();
    if (silent <= stallNanos) {
      return false;
    }
    fail("transfer stream " + streamId + ": the destination acknowledged nothing for "
        + Duration.ofNanos(silent).toMillis() + " ms with " + window.inFlight()
        + " chunk(s) outstanding (limit " + Duration.ofNanos(stallNanos).toMillis()
        + " ms): the path is blocked or the destination stopped");
    return true;
  }

  private boolean awaitTransport(BooleanSupplier giveUp) {
    return transportReady() || window.awaitWhile(() -> !transportReady(), giveUp);
  }
}
