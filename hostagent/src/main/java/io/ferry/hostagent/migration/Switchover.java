package io.ferry.hostagent.migration;

import com.google.protobuf.ByteString;
import io.ferry.hostagent.hypervisor.PageAccess;
import io.ferry.hostagent.hypervisor.VirtualMachine;
import io.ferry.hostagent.migration.codec.Checksums;
import io.ferry.v1.CommitRequest;
import io.ferry.v1.MigrationPhase;
import io.ferry.v1.SwitchoverRequest;
import io.ferry.v1.SwitchoverResponse;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of an outgoing migration: pause the VM, send what is still dirty and the device state, ask the
 * destination to verify and start the VM, then (post-copy) push the pages it still misses, destroy the local copy and
 * commit. The local copy goes only after the destination confirmed it runs the VM.
 */
final class Switchover {
  private static final Logger log = LoggerFactory.getLogger(Switchover.class);

  private final SourceContext sc;
  private final VirtualMachine vm;
  private final PageAccess access;
  private final DestinationSession session;
  private final OutgoingTransfer transfer;
  private final SourceRollback rollback;

  Switchover(SourceContext sc, VirtualMachine vm, PageAccess access, DestinationSession session,
             OutgoingTransfer transfer, SourceRollback rollback) {
    this.sc = sc;
    this.vm = vm;
    this.access = access;
    this.session = session;
    this.transfer = transfer;
    this.rollback = rollback;
  }

  /** Hands the VM over; {@code remaining} is what pre-copy left dirty (all of it for a pure post-copy). */
  MigrationOutcome run(DirtySet remaining, boolean postCopy) {
    MigrationProgress progress = sc.progress();
    progress.phase(MigrationPhase.SWITCHOVER, postCopy ? "pausing for post-copy switchover" : "pausing");
    sc.engine().inDoubt().record(sc.request());
    vm.pause();
    Instant pausedAt = vm.lastProgressAt();
    long counter = vm.progressCounter();
    DirtySet last = remaining.or(DirtySet.snapshot(access));
    String failure = transfer.send(last, Integer.MAX_VALUE, !postCopy);
    if (failure == null) {
      failure = transfer.sendDeviceState();
    }
    if (failure == null && sc.stopRequested()) {
      failure = sc.stopReason();
    }
    if (failure != null) {
      return rollback.paused(vm, failure);
    }
    SwitchoverRequest.Builder req = request(counter, pausedAt, postCopy);
    PostCopyPush push = null;
    if (postCopy) {
      req.setMissingPages(ByteString.copyFrom(last.memory().toByteArray()));
      push = new PostCopyPush(sc.engine(), sc.migrationId(), access.memory(), last.memory(), sc.tally(),
          sc.counters());
      sc.engine().postCopySources().put(sc.migrationId(), push.source());
      progress.faults(push.source()::faults);
    }
    SwitchoverResponse resp;
    sc.engine().settings().failpoints().hit("migration.source.switchover", sc.request().getVm());
    try {
      rollback.switchoverSent();
      resp = session.switchover(req.build());
    } catch (StatusRuntimeException e) {
      return rollback.paused(vm, "switchover failed: " + Wire.describe(e));
    }
    if (!resp.getRunning()) {
      return rollback.paused(vm, "destination did not start the VM");
    }
    if (pausedAt != null && resp.hasResumedAt()) {
      progress.downtime(Duration.between(pausedAt, Wire.instant(resp.getResumedAt())));
    }
    progress.phase(MigrationPhase.SWITCHOVER, postCopy ? "destination runs the VM; pushing remaining pages"
        : "destination runs the VM");
    if (postCopy) {
      String lost = push.run(session, transfer.streams(), transfer.limiter());
      if (lost != null) {
        return MigrationOutcome.failed(lost, sc.stats());
      }
      // every page is on the destination: stop answering faults before the local copy goes
      sc.engine().postCopySources().remove(sc.migrationId());
    }
    vm.destroy();
    sc.engine().settings().failpoints().hit("migration.source.commit", sc.request().getVm());
    try {
      session.commit(CommitRequest.newBuilder().setMigrationId(sc.migrationId()).setStats(sc.stats()).build());
    } catch (StatusRuntimeException e) {
      log.warn("migration {}: VM {} runs on {} but the commit notice failed ({}); the destination keeps it",
          sc.migrationId(), sc.request().getVm(), sc.request().getDestinationHost(), Wire.describe(e));
    }
    transfer.complete();
    return MigrationOutcome.committed(sc.stats());
  }

  /** The switchover request: what the destination checks before it starts the VM. */
  private SwitchoverRequest.Builder request(long counter, Instant pausedAt, boolean postCopy) {
    SwitchoverRequest.Builder req = SwitchoverRequest.newBuilder().setMigrationId(sc.migrationId())
        .setProgressCounter(counter).setPostCopy(postCopy).setLastSequence(transfer.chunksSent());
    if (pausedAt != null) {
      req.setPausedAt(Wire.timestamp(pausedAt));
    }
    if (sc.engine().settings().verifyFullDigest()) {
      if (!postCopy) {
        req.setMemoryDigest(ByteString.copyFrom(Checksums.digest(access.memory())));
      }
      if (!access.disks().isEmpty()) {
        req.setDiskDigest(ByteString.copyFrom(Checksums.digest(access.disks())));
      }
    }
    return req;
  }
}
