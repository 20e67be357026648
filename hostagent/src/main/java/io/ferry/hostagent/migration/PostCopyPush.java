package io.ferry.hostagent.migration;

import io.ferry.hostagent.hypervisor.DirtyBitmap;
import io.ferry.hostagent.hypervisor.GuestMemory;
import io.ferry.hostagent.migration.codec.ChunkEncoder;
import io.ferry.hostagent.migration.codec.Compression;
import io.ferry.hostagent.migration.codec.EncodeCounters;
import io.ferry.hostagent.migration.codec.UnitStore;
import io.ferry.hostagent.migration.transfer.ChunkStream;
import io.ferry.hostagent.migration.transfer.RateLimiter;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Source side of post-copy after the switchover: pushes every page the destination still misses in the background
 * while {@link PostCopySource} answers its faults first. The VM now runs on the destination and its memory is split
 * between the hosts, so a dropped stream is reopened and the push resumed (the destination ignores pages it already
 * has) until it completes or reconnection is given up.
 */
final class PostCopyPush {
  private static final Logger log = LoggerFactory.getLogger(PostCopyPush.class);
  static final int MAX_RECONNECTS = 50;

  private final EngineContext ctx;
  private final String migrationId;
  private final DirtyBitmap toPush;
  private final ChunkEncoder encoder;
  private final PostCopySource source;
  private final TransferTally tally;

  PostCopyPush(EngineContext ctx, String migrationId, GuestMemory memory, DirtyBitmap missing, TransferTally tally,
               EncodeCounters counters) {
    this.ctx = ctx;
    this.migrationId = migrationId;
    this.tally = tally;
    this.toPush = new DirtyBitmap(missing.size());
    toPush.or(missing);
    this.encoder = new ChunkEncoder(UnitStore.of(memory), Compression.NONE, null, new DirtyBitmap(missing.size()),
        counters);
    this.source = new PostCopySource(encoder, toPush, tally);
  }

  PostCopySource source() {
    return source;
  }

  /** Pushes until every page is acknowledged; returns null then, or why the post-copy could not finish. */
  String run(DestinationSession session, List<ChunkStream> streams, RateLimiter limiter) {
    List<ChunkStream> current = streams;
    for (int attempt = 0; ; attempt++) {
      UnitSender sender = new UnitSender(current, ctx.pool(), ctx.settings().chunkUnits(), tally);
      String failure = sender.send(encoder, toPush, -1, true, () -> false);
      if (failure == null) {
        failure = sender.drain(() -> false);
      }
      if (failure == null) {
        return null;
      }
      if (attempt >= MAX_RECONNECTS) {
        return "post-copy of " + migrationId + " lost its connection for good (" + failure + "): the VM's memory"
            + " is split between source and destination; the source keeps its paused copy for recovery";
      }
      log.warn("migration {}: post-copy stream dropped ({}); reconnecting (attempt {})", migrationId, failure,
          attempt + 1);
      ctx.settings().waiter().waitNanos(ctx.settings().postCopyReconnectBackoff().toNanos());
      current = session.openStreams(migrationId, current.size(), ctx.settings().streamTuning(), limiter);
    }
  }
}
