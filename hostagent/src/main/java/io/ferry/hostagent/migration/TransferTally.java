package io.ferry.hostagent.migration;

import io.ferry.v1.ChunkKind;
import io.ferry.v1.TransferChunk;
import java.util.concurrent.atomic.LongAdder;

/** Bytes and chunks a migration put on the wire, by kind. */
final class TransferTally {
  final LongAdder ramBytes = new LongAdder();
  final LongAdder diskBytes = new LongAdder();
  final LongAdder otherBytes = new LongAdder();
  final LongAdder chunks = new LongAdder();

  void count(TransferChunk.Builder c) {
    long n = c.getPayload().size();
    if (c.getKind() == ChunkKind.RAM) {
      ramBytes.add(n);
    } else if (c.getKind() == ChunkKind.DISK) {
      diskBytes.add(n);
    } else {
      otherBytes.add(n);
    }
    chunks.increment();
  }

  long totalBytes() {
    return ramBytes.sum() + diskBytes.sum() + otherBytes.sum();
  }
}
