package io.ferry.hostagent.migration;

import io.ferry.hostagent.hypervisor.DirtyBitmap;
import io.ferry.hostagent.migration.codec.ChunkEncoder;
import io.ferry.v1.PageRequest;
import io.ferry.v1.TransferChunk;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Source side of post-copy: serves the destination's page faults ({@code RequestPages}) ahead of the background
 * push. A page served here is removed from {@code toPush}, so the push skips it.
 */
final class PostCopySource {
  private final ChunkEncoder encoder;
  private final DirtyBitmap toPush;
  private final TransferTally tally;
  private final AtomicLong faults = new AtomicLong();

  PostCopySource(ChunkEncoder encoder, DirtyBitmap toPush, TransferTally tally) {
    this.encoder = encoder;
    this.toPush = toPush;
    this.tally = tally;
  }

  long faults() {
    return faults.get();
  }

  /** Answers one request on {@code responses}, numbering chunks with {@code sequence}. */
  void serve(PageRequest request, StreamObserver<TransferChunk> responses, AtomicLong sequence) {
    long[] pages = request.getPageIndexesList().stream().mapToLong(Long::longValue).sorted().distinct().toArray();
    faults.addAndGet(pages.length);
    for (long p : pages) {
      toPush.clear(p);
    }
    for (TransferChunk.Builder c : encoder.encode(pages, pages.length, -1, true)) {
      tally.count(c);
      TransferChunk chunk = c.setMigrationId(request.getMigrationId()).setSequence(sequence.incrementAndGet()).build();
      synchronized (responses) {
        responses.onNext(chunk);
      }
    }
  }
}
