package io.ferry.hostagent.migration.transfer;

import io.ferry.v1.TransferChunk;
import java.util.function.BooleanSupplier;

/**
 * One transfer stream of a migration, source side: numbers its chunks from 1, keeps at most a window of them
 * unacknowledged (back-pressure), and records the first failure the destination reports. Used by one thread.
 * Over the agents' data channel ({@link SocketChunkStream}) or, for destinations without one, as a gRPC
 * {@code Transfer} call ({@link GrpcChunkStream}).
 */
public interface ChunkStream {
  int streamId();

  /** Chunks sent so far on this stream. */
  long sent();

  long bytesSent();

  /** The destination's error, or null while healthy. */
  String failure();

  /**
   * Sends one chunk; false when the stream failed or {@code stop} said so while waiting. The chunk is serialized
   * before this returns: its payload may wrap a buffer the caller reuses.
   */
  boolean send(TransferChunk.Builder chunk, BooleanSupplier stop);

  /** Waits until every chunk sent is acknowledged. */
  boolean drain(BooleanSupplier stop);

  /** Ends the stream after the last chunk. */
  void complete();

  /** Breaks the stream off. */
  void cancel(String reason);
}
