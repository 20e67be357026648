package io.ferry.hostagent.migration;

import io.ferry.common.grpc.GrpcServers;
import io.ferry.hostagent.hypervisor.GuestMemory;
import io.ferry.hostagent.migration.codec.ChunkDecoder;
import io.ferry.hostagent.migration.codec.UnitStore;
import io.ferry.v1.MigrationPeerGrpc;
import io.ferry.v1.PageRequest;
import io.ferry.v1.TransferChunk;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Destination side of post-copy: turns guest page faults into {@code RequestPages} calls to the source and places
 * the answers. When the call drops while pages are still missing, it reconnects after a back-off and asks again for
 * every page still awaited.
 */
final class PostCopyFetcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PostCopyFetcher.class);

  private final EngineContext ctx;
  private final String migrationId;
  private final String sourceEndpoint;
  private final GuestMemory memory;
  private final UnitStore store;
  private final Set<Long> pending = ConcurrentHashMap.newKeySet();
  private final AtomicLong faults = new AtomicLong();
  private ManagedChannel channel;
  private StreamObserver<PageRequest> requests;
  private volatile boolean closed;

  PostCopyFetcher(EngineContext ctx, String migrationId, String sourceEndpoint, GuestMemory memory) {
    this.ctx = ctx;
    this.migrationId = migrationId;
    this.sourceEndpoint = sourceEndpoint;
    this.memory = memory;
    this.store = UnitStore.of(memory, true);
  }

  synchronized void start() {
    channel = GrpcServers.channel(sourceEndpoint, ctx.tls());
    connect();
  }

  long faults() {
    return faults.get();
  }

  /** Guest fault handler: must not block. */
  void onFault(long page) {
    if (pending.add(page)) {
      faults.incrementAndGet();
      request(new long[] {page});
    }
  }

  private synchronized void request(long[] pages) {
    if (closed || requests == null) {
      return;
    }
    PageRequest.Builder r = PageRequest.newBuilder().setMigrationId(migrationId);
    for (long p : pages) {
      r.addPageIndexes(p);
    }
    requests.onNext(r.build());
  }

  private void connect() {
    // not a child of the Switchover call that starts it: that call's context is cancelled when it returns
    io.grpc.Context.ROOT.run(this::connectNow);
  }

  private synchronized void connectNow() {
    if (closed) {
      return;
    }
    AtomicLong expected = new AtomicLong(1);
    requests = MigrationPeerGrpc.newStub(channel).requestPages(new StreamObserver<>() {
      @Override
      public void onNext(TransferChunk c) {
        if (c.getSequence() != expected.getAndIncrement()) {
          log.warn("migration {}: post-copy page answer out of order; reconnecting", migrationId);
          reconnectLater();
          return;
        }
        ChunkDecoder.Applied applied = ChunkDecoder.apply(c, store);
        if (!applied.ok()) {
          log.warn("migration {}: {}; asking again", migrationId, applied.problem());
          long[] again = new long[c.getCount()];
          for (int k = 0; k < again.length; k++) {
            again[k] = c.getFirstIndex() + k;
          }
          request(again);
          return;
        }
        for (long p = c.getFirstIndex(); p < c.getFirstIndex() + c.getCount(); p++) {
          pending.remove(p);
        }
      }

      @Override
      public void onError(Throwable t) {
        if (!closed && memory.missingPageCount() > 0) {
          log.warn("migration {}: post-copy fault stream to {} dropped ({}); reconnecting", migrationId,
              sourceEndpoint, io.grpc.Status.fromThrowable(t).getCode());
          reconnectLater();
        }
      }

      @Override
      public void onCompleted() {
      }
    });
    long[] again = pending.stream().mapToLong(Long::longValue).toArray();
    if (again.length > 0) {
      request(again);
    }
  }

  private void reconnectLater() {
    ctx.timers().schedule(this::connect, ctx.settings().postCopyReconnectBackoff().toNanos(), TimeUnit.NANOSECONDS);
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (requests != null) {
      try {
        requests.onCompleted();
      } catch (RuntimeException e) {
        // the call is already gone: nothing to close
      }
    }
    GrpcServers.shutdown(channel);
  }
}
