package io.ferry.hostagent.migration;

import io.ferry.common.grpc.InlineMethods;
import io.ferry.hostagent.migration.transfer.InPlaceTransfer;
import io.ferry.hostagent.migration.transfer.ReceivedChunk;
import io.ferry.v1.AbortRequest;
import io.ferry.v1.AbortResponse;
import io.ferry.v1.CommitRequest;
import io.ferry.v1.CommitResponse;
import io.ferry.v1.MigrationPeerGrpc;
import io.ferry.v1.PageRequest;
import io.ferry.v1.PrepareRequest;
import io.ferry.v1.PrepareResponse;
import io.ferry.v1.RecoverRequest;
import io.ferry.v1.RecoverResponse;
import io.ferry.v1.SwitchoverRequest;
import io.ferry.v1.SwitchoverResponse;
import io.ferry.v1.TransferAck;
import io.ferry.v1.TransferChunk;
import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's {@code MigrationPeer} endpoint: destination of incoming migrations (prepare, transfer, switchover,
 * commit, abort) and, for post-copy, source of pages the destination faults on. Obtain it from
 * {@link MigrationEngine#peerService()}.
 */
final class MigrationPeerService implements MigrationPeerGrpc.AsyncService, BindableService, InlineMethods {
  private static final Logger log = LoggerFactory.getLogger(MigrationPeerService.class);
  private final EngineContext ctx;
  private final IncomingMigrations incoming;

  MigrationPeerService(EngineContext ctx, IncomingMigrations incoming) {
    this.ctx = ctx;
    this.incoming = incoming;
  }

  @Override
  public void prepare(PrepareRequest request, StreamObserver<PrepareResponse> response) {
    unary(response, () -> incoming.prepare(request));
  }

  /** The generated binding, with Transfer parsing chunks in place (see {@link InPlaceTransfer}). */
  @Override
  public ServerServiceDefinition bindService() {
    return InPlaceTransfer.rebind(MigrationPeerGrpc.bindService(this), TransferReceiver::new);
  }

  /** Transfer's receiver only checks, copies into guest memory and acknowledges: it runs on the I/O thread. */
  @Override
  public Set<String> inlineMethods() {
    return Set.of(MigrationPeerGrpc.getTransferMethod().getFullMethodName());
  }

  @Override
  public void switchover(SwitchoverRequest request, StreamObserver<SwitchoverResponse> response) {
    unary(response, () -> incoming.require(request.getMigrationId()).switchover(request));
  }

  @Override
  public void commit(CommitRequest request, StreamObserver<CommitResponse> response) {
    unary(response, () -> {
      incoming.commit(request.getMigrationId());
      return CommitResponse.getDefaultInstance();
    });
  }

  @Override
  public void abort(AbortRequest request, StreamObserver<AbortResponse> response) {
    unary(response, () -> {
      incoming.abort(request.getMigrationId(), request.getReason());
      return AbortResponse.getDefaultInstance();
    });
  }

  @Override
  public void recover(RecoverRequest request, StreamObserver<RecoverResponse> response) {
    unary(response, () -> incoming.recover(request.getMigrationId()));
  }

  @Override
  public StreamObserver<PageRequest> requestPages(StreamObserver<TransferChunk> pages) {
    AtomicLong sequence = new AtomicLong();
    return new StreamObserver<>() {
      @Override
      public void onNext(PageRequest r) {
        PostCopySource source = ctx.postCopySources().get(r.getMigrationId());
        if (source == null) {
          pages.onError(Status.NOT_FOUND.withDescription("no post-copy migration " + r.getMigrationId()
              + " on " + ctx.hostName()).asRuntimeException());
          return;
        }
        try {
          source.serve(r, pages, sequence);
        } catch (IllegalStateException e) {
          // a late fault racing the end of the push: the destination already has every page
          pages.onError(Status.NOT_FOUND.withDescription("post-copy " + r.getMigrationId() + " on "
              + ctx.hostName() + " has finished: " + e.getMessage()).asRuntimeException());
        }
      }

      @Override
      public void onError(Throwable t) {
      }

      @Override
      public void onCompleted() {
        synchronized (pages) {
          pages.onCompleted();
        }
      }
    };
  }

  private static <T> void unary(StreamObserver<T> response, java.util.function.Supplier<T> call) {
    T value;
    try {
      value = call.get();
    } catch (StatusRuntimeException e) {
      response.onError(e);
      return;
    }
    response.onNext(value);
    response.onCompleted();
  }

  /** A receiver for one transfer stream that arrived on the data channel (same checks as a Transfer call). */
  StreamObserver<ReceivedChunk> transferReceiver(StreamObserver<TransferAck> acks) {
    return new TransferReceiver(acks);
  }

  /** One incoming Transfer call: in-order check per call, apply, acknowledge; any problem aborts the migration. */
  private final class TransferReceiver implements StreamObserver<ReceivedChunk> {
    private final StreamObserver<TransferAck> acks;
    private IncomingMigration migration;
    private long expected = 1;
    private long bytes;
    private boolean closed;

    TransferReceiver(StreamObserver<TransferAck> acks) {
      this.acks = acks;
    }

    @Override
    public void onNext(ReceivedChunk received) {
      try (received) {
        receive(received);
      }
    }

    private void receive(ReceivedChunk received) {
      TransferChunk c = received.chunk();
      if (closed) {
        return;
      }
      if (migration == null) {
        IncomingSide side = incoming.find(c.getMigrationId()).orElse(null);
        if (!(side instanceof IncomingMigration m)) {
          fail(side == null ? Status.NOT_FOUND : Status.FAILED_PRECONDITION, side == null
              ? "no incoming migration " + c.getMigrationId() + " on " + ctx.hostName()
              : "migration " + c.getMigrationId() + " moves through the hypervisor's own stream, not Transfer");
          return;
        }
        migration = m;
      }
      if (c.getSequence() != expected) {
        abort("chunk out of order on stream " + c.getStream() + ": expected sequence " + expected + ", got "
            + c.getSequence());
        return;
      }
      expected++;
      String problem;
      try {
        problem = migration.apply(received);
      } catch (RuntimeException e) {
        // the source must hear why, not see its connection cut
        log.warn("migration {}: could not apply chunk {} of stream {}", migration.migrationId(), c.getSequence(),
            c.getStream(), e);
        problem = "destination could not apply chunk " + c.getSequence() + " of stream " + c.getStream() + ": " + e;
      }
      if (problem != null) {
        abort(problem);
        return;
      }
      bytes += received.wireBytes();
      acks.onNext(TransferAck.newBuilder().setSequence(c.getSequence()).setBytesReceived(bytes).build());
    }

    private void abort(String problem) {
      boolean beforeSwitchover = migration.state() == IncomingSide.State.PREPARED;
      incoming.discardBeforeSwitchover(migration, problem);
      fail(Status.DATA_LOSS, "migration " + migration.migrationId()
          + (beforeSwitchover ? " aborted: " : " stream ended: ") + problem);
    }

    private void fail(Status status, String message) {
      closed = true;
      acks.onError(status.withDescription(message).asRuntimeException());
    }

    @Override
    public void onError(Throwable t) {
      closed = true;
      if (migration != null) {
        Status s = Status.fromThrowable(t);
        incoming.discardBeforeSwitchover(migration, "transfer stream broke (" + s.getCode()
            + (s.getDescription() == null ? "" : ": " + s.getDescription()) + ")");
      }
    }

    @Override
    public void onCompleted() {
      if (!closed) {
        closed = true;
        acks.onCompleted();
      }
    }
  }
}
