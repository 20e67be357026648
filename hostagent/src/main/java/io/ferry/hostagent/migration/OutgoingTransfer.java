package io.ferry.hostagent.migration;

import com.google.protobuf.ByteString;
import io.ferry.hostagent.hypervisor.BlockDevice;
import io.ferry.hostagent.hypervisor.DirtyBitmap;
import io.ferry.hostagent.hypervisor.PageAccess;
import io.ferry.hostagent.migration.codec.Checksums;
import io.ferry.hostagent.migration.codec.ChunkEncoder;
import io.ferry.hostagent.migration.codec.Compression;
import io.ferry.hostagent.migration.codec.UnitStore;
import io.ferry.hostagent.migration.codec.XbzrleCache;
import io.ferry.hostagent.migration.transfer.ChunkStream;
import io.ferry.hostagent.migration.transfer.RateLimiter;
import io.ferry.v1.ChunkKind;
import io.ferry.v1.Encoding;
import io.ferry.v1.TransferChunk;
import java.util.ArrayList;
import java.util.List;

/**
 * The source's data plane for one migration: the transfer streams to the destination (sharing the bandwidth cap),
 * and the encoders of the VM's memory and disks, which remember what the destination holds (zero pages it need not
 * be sent, previous copies for delta encoding).
 */
final class OutgoingTransfer {
  private final SourceContext sc;
  private final PageAccess access;
  private final RateLimiter limiter;
  private final List<ChunkStream> streams;
  private final UnitSender sender;
  private final ChunkEncoder memory;
  private final List<ChunkEncoder> disks = new ArrayList<>();

  private OutgoingTransfer(SourceContext sc, PageAccess access, RateLimiter limiter, List<ChunkStream> streams) {
    this.sc = sc;
    this.access = access;
    this.limiter = limiter;
    this.streams = streams;
    EngineContext ctx = sc.engine();
    this.sender = new UnitSender(streams, ctx.pool(), ctx.settings().chunkUnits(), sc.tally());
    Compression compression = Compression.parse(sc.request().getLimits().getCompression());
    XbzrleCache cache = ctx.settings().xbzrleCacheBytes() > 0
        ? new XbzrleCache(ctx.settings().xbzrleCacheBytes()) : null;
    this.memory = new ChunkEncoder(UnitStore.of(access.memory()), compression, cache,
        new DirtyBitmap(access.memory().pageCount()), sc.counters());
    for (int i = 0; i < access.disks().size(); i++) {
      BlockDevice d = access.disks().get(i);
      disks.add(new ChunkEncoder(UnitStore.of(d, i), compression, null, new DirtyBitmap(d.blockCount()),
          sc.counters()));
    }
  }

  /** Opens the request's transfer streams (1 to 16) to the destination of {@code session}. */
  static OutgoingTransfer open(SourceContext sc, DestinationSession session, PageAccess access) {
    EngineContext ctx = sc.engine();
    var limits = sc.request().getLimits();
    RateLimiter limiter = new RateLimiter(limits.getBandwidthBytesPerSecond(), ctx.settings().ticker(),
        ctx.settings().waiter());
    int n = Math.max(1, Math.min(16, limits.getStreams()));
    List<ChunkStream> streams = session.openStreams(sc.migrationId(), n, ctx.settings().streamTuning(), limiter);
    return new OutgoingTransfer(sc, access, limiter, streams);
  }

  List<ChunkStream> streams() {
    return streams;
  }

  RateLimiter limiter() {
    return limiter;
  }

  /** Chunks sent so far over all streams (each numbers its own from 1). */
  long chunksSent() {
    return streams.stream().mapToLong(ChunkStream::sent).sum();
  }

  /**
   * Sends the disk blocks of {@code units}, then its pages unless {@code withMemory} is false (post-copy leaves them
   * to the push), and waits until the destination acknowledged everything. Returns null, or why not.
   */
  String send(DirtySet units, int round, boolean withMemory) {
    for (int i = 0; i < disks.size(); i++) {
      String f = sender.send(disks.get(i), units.disks().get(i), round, false, sc::stopRequested);
      if (f != null) {
        return reason(f);
      }
    }
    String f = withMemory ? sender.send(memory, units.memory(), round, false, sc::stopRequested) : null;
    if (f == null) {
      f = sender.drain(sc::stopRequested);
    }
    return reason(f);
  }

  /** Sends the device state of the paused VM and waits for every acknowledgement; null, or why not. */
  String sendDeviceState() {
    byte[] state = access.saveDeviceState();
    TransferChunk.Builder c = TransferChunk.newBuilder().setKind(ChunkKind.DEVICE_STATE).setEncoding(Encoding.RAW)
        .setCount(1).setPayload(ByteString.copyFrom(state))
        .setChecksum(Checksums.crc32c(state, 0, state.length));
    ChunkStream first = streams.get(0);
    if (!first.send(c, sc::stopRequested)) {
      return first.failure() != null ? first.failure() : sc.stopReason();
    }
    sc.tally().count(c);
    return reason(sender.drain(sc::stopRequested));
  }

  /** A stream's failure, or the migration's own reason when it was stopped (cancelled, timed out); null: none. */
  private String reason(String failure) {
    return failure == null ? null : sc.stopRequested() ? sc.stopReason() : failure;
  }

  /** Ends the streams after a commit. */
  void complete() {
    streams.forEach(ChunkStream::complete);
  }

  /** Breaks the streams off (rollback). */
  void cancel(String reason) {
    streams.forEach(s -> s.cancel(reason));
  }
}
