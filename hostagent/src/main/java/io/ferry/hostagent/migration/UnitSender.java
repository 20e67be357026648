package io.ferry.hostagent.migration;

import io.ferry.hostagent.hypervisor.DirtyBitmap;
import io.ferry.hostagent.migration.codec.ChunkEncoder;
import io.ferry.hostagent.migration.transfer.ChunkStream;
import io.ferry.v1.TransferChunk;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;

/**
 * Sends every unit set in a bitmap over all streams of a migration in parallel: each stream's worker takes the next
 * batch of set bits, encodes it and sends it, so encoding runs on as many cores as there are streams.
 */
final class UnitSender {
  private final List<ChunkStream> streams;
  private final ExecutorService pool;
  private final int chunkUnits;
  private final TransferTally tally;

  UnitSender(List<ChunkStream> streams, ExecutorService pool, int chunkUnits, TransferTally tally) {
    this.streams = streams;
    this.pool = pool;
    this.chunkUnits = chunkUnits;
    this.tally = tally;
  }

  /** Returns null when everything was handed to the streams, else why not. Does not wait for acks. */
  String send(ChunkEncoder encoder, DirtyBitmap units, int round, boolean placeZeros, BooleanSupplier stop) {
    Cursor cursor = new Cursor(units);
    List<Future<String>> others = new ArrayList<>();
    for (int s = 1; s < streams.size(); s++) {
      ChunkStream stream = streams.get(s);
      others.add(pool.submit(() -> pump(stream, encoder, cursor, round, placeZeros, stop)));
    }
    String failure = pump(streams.get(0), encoder, cursor, round, placeZeros, stop);
    for (Future<String> f : others) {
      try {
        String other = f.get();
        failure = failure == null ? other : failure;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return "interrupted";
      } catch (ExecutionException e) {
        failure = failure == null ? "sender failed: " + e.getCause() : failure;
      }
    }
    return failure;
  }

  /** Waits for every stream's acknowledgements; null when all arrived. */
  String drain(BooleanSupplier stop) {
    for (ChunkStream s : streams) {
      if (!s.drain(stop)) {
        return s.failure() != null ? s.failure() : "stopped";
      }
    }
    return null;
  }

  private String pump(ChunkStream stream, ChunkEncoder encoder, Cursor cursor, int round, boolean placeZeros,
                      BooleanSupplier stop) {
    long[] batch = new long[chunkUnits];
    // raw chunks wrap the scratch: each is sent (serialized) before the next batch is read into it
    byte[] scratch = new byte[chunkUnits * encoder.store().unitBytes()];
    while (true) {
      int n = cursor.next(batch);
      if (n == 0) {
        return null;
      }
      for (TransferChunk.Builder c : encoder.encode(batch, n, round, placeZeros, scratch)) {
        if (!stream.send(c, stop)) {
          return stream.failure() != null ? stream.failure() : "stopped";
        }
        tally.count(c);
      }
    }
  }

  /** Hands out the set bits of a bitmap in ascending batches. */
  private static final class Cursor {
    private final DirtyBitmap bits;
    private long next;

    Cursor(DirtyBitmap bits) {
      this.bits = bits;
    }

    synchronized int next(long[] out) {
      int n = 0;
      while (n < out.length) {
        long i = bits.nextSetBit(next);
        if (i < 0) {
          next = bits.size();
          break;
        }
        out[n++] = i;
        next = i + 1;
      }
      return n;
    }
  }
}
