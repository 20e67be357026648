package io.ferry.hostagent.migration;

import com.google.protobuf.ByteString;
import io.ferry.hostagent.hypervisor.BlockDevice;
import io.ferry.hostagent.hypervisor.DirtyBitmap;
import io.ferry.hostagent.hypervisor.PageAccess;
import io.ferry.hostagent.hypervisor.VirtualMachine;
import io.ferry.hostagent.migration.codec.Checksums;
import io.ferry.hostagent.migration.codec.ChunkEncoder;
import io.ferry.hostagent.migration.codec.Compression;
import io.ferry.hostagent.migration.codec.UnitStore;
import io.ferry.hostagent.migration.codec.XbzrleCache;
import io.ferry.hostagent.migration.transfer.ChunkStream;
import io.ferry.hostagent.migration.transfer.RateLimiter;
import io.ferry.v1.ChunkKind;
import io.ferry.v1.CommitRequest;
import io.ferry.v1.Encoding;
import io.ferry.v1.MigrateVmRequest;
import io.ferry.v1.MigrationPhase;
import io.ferry.v1.MigrationStrategy;
import io.ferry.v1.PrepareRequest;
import io.ferry.v1.PrepareResponse;
import io.ferry.v1.SwitchoverRequest;
import io.ferry.v1.SwitchoverResponse;
import io.ferry.v1.TransferChunk;
import io.ferry.v1.VmState;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source agent's side of one migration (libvirt peer-to-peer phases): prepare on the destination, pre-copy
 * rounds (with auto-converge or escalation to post-copy as the strategy says), pause, final transfer, switchover,
 * destroy the local copy once the destination runs, commit. Any failure before the destination confirms it runs
 * leaves the VM running here and the destination cleaned.
 */
final class SourceMigration implements OutgoingMigration {
  private static final Logger log = LoggerFactory.getLogger(SourceMigration.class);

  private final EngineContext ctx;
  private final MigrateVmRequest request;
  private final MigrationProgress progress;
  private final TransferTally tally = new TransferTally();
  private final io.ferry.hostagent.migration.codec.EncodeCounters counters =
      new io.ferry.hostagent.migration.codec.EncodeCounters();
  private final Duration maxDowntime;
  private final int maxRounds;
  private final long deadlineNanos;
  private DestinationSession session;
  private List<ChunkStream> streams;
  private UnitSender sender;
  private RateLimiter limiter;
  private volatile boolean switchoverSent;

  SourceMigration(EngineContext ctx, MigrateVmRequest request, MigrationProgress progress) {
    this.ctx = ctx;
    this.request = request;
    this.progress = progress;
    var limits = request.getLimits();
    this.maxDowntime = limits.hasMaxDowntime() && (limits.getMaxDowntime().getSeconds() > 0
        || limits.getMaxDowntime().getNanos() > 0)
        ? Duration.ofSeconds(limits.getMaxDowntime().getSeconds(), limits.getMaxDowntime().getNanos())
        : ctx.settings().defaultMaxDowntime();
    this.maxRounds = limits.getMaxRounds() > 0 ? limits.getMaxRounds() : ctx.settings().defaultMaxRounds();
    long timeoutNanos = limits.hasTimeout() ? limits.getTimeout().getSeconds() * 1_000_000_000L
        + limits.getTimeout().getNanos() : 0;
    this.deadlineNanos = timeoutNanos > 0 ? progress.startNanos() + timeoutNanos : Long.MAX_VALUE;
  }

  @Override
  public void run() {
    MigrationOutcome outcome;
    try {
      outcome = migrate();
    } catch (RuntimeException e) {
      log.error("migration {} of VM {}: unexpected error; rolling back", request.getMigrationId(), request.getVm(), e);
      VirtualMachine vm = ctx.hypervisor().find(request.getVm()).orElse(null);
      outcome = vm != null && vm.state() == VmState.VM_PAUSED
          ? rollBackPaused(vm, "internal error: " + e, switchoverSent)
          : rollBackRunning("internal error: " + e);
    } finally {
      if (session != null) {
        session.close();
      }
      ctx.postCopySources().remove(request.getMigrationId());
    }
    forgetUnlessPaused();
    progress.finish(outcome, stats());
  }

  /**
   * After an agent restart, for a migration the previous process had paused its VM for: the VM is gone (the commit
   * point had passed: the destination has it), runs (the pause never happened, so no switchover was sent), or is
   * paused, and then only the destination can say which copy is the VM.
   */
  void settleAfterRestart() {
    MigrationOutcome outcome;
    VirtualMachine vm = ctx.hypervisor().find(request.getVm()).orElse(null);
    if (vm == null) {
      outcome = new MigrationOutcome(MigrationPhase.COMMITTED, "the VM had left " + ctx.hostName()
          + " before the agent restarted: " + request.getDestinationHost() + " runs it", stats());
    } else if (vm.state() == VmState.VM_PAUSED) {
      outcome = settle(vm, "agent restarted during the switchover");
    } else {
      abortDestination("the source restarted before the switchover");
      outcome = MigrationOutcome.rolledBack("agent restarted before the switchover; the VM runs on "
          + ctx.hostName(), stats());
    }
    forgetUnlessPaused();
    log.info("migration {} of VM {} settled after the restart: {} ({})", request.getMigrationId(), request.getVm(),
        outcome.result(), outcome.reason());
    progress.finish(outcome, stats());
  }

  /** The record of this migration goes once its VM is not paused here any more (destroyed or running again). */
  private void forgetUnlessPaused() {
    boolean paused = ctx.hypervisor().find(request.getVm()).map(v -> v.state() == VmState.VM_PAUSED).orElse(false);
    if (!paused) {
      ctx.inDoubt().forget(request.getMigrationId());
    }
  }

  /**
   * The VM is paused here and the destination may run it (the switchover call failed, or the agent restarted in
   * it): ask the destination until it answers, then keep exactly one copy. Waits as long as it takes: resuming on a
   * guess could run the VM twice.
   */
  private MigrationOutcome settle(VirtualMachine vm, String reason) {
    if (streams != null) {
      streams.forEach(s -> s.cancel(reason));
    }
    progress.phase(MigrationPhase.SWITCHOVER, "in doubt (" + reason + "): VM paused on " + ctx.hostName()
        + " until " + request.getDestinationHost() + " says whether it runs it");
    log.warn("migration {}: {}; VM {} stays paused on {} until {} says whether it runs it", request.getMigrationId(),
        reason, request.getVm(), ctx.hostName(), request.getDestinationHost());
    Optional<InDoubtMigrations.Answer> answer = ctx.inDoubt().ask(request);
    if (answer.isEmpty()) {
      return MigrationOutcome.failed(reason + "; VM left paused on " + ctx.hostName() + ": the agent stopped before "
          + request.getDestinationHost() + " answered (the next agent process settles it)", stats());
    }
    if (answer.get() == InDoubtMigrations.Answer.DESTINATION_RUNS_IT) {
      vm.destroy();
      try (DestinationSession s = new DestinationSession(request.getDestinationEndpoint(), ctx.tls(),
          ctx.settings().rpcTimeout())) {
        s.commit(CommitRequest.newBuilder().setMigrationId(request.getMigrationId()).setStats(stats()).build());
      } catch (StatusRuntimeException e) {
        log.info("migration {}: commit notice to {} not delivered ({}); it runs the VM anyway",
            request.getMigrationId(), request.getDestinationHost(), describe(e));
      }
      log.info("migration {}: {} runs VM {}: paused copy on {} destroyed", request.getMigrationId(),
          request.getDestinationHost(), request.getVm(), ctx.hostName());
      return new MigrationOutcome(MigrationPhase.COMMITTED, request.getDestinationHost() + " runs the VM (settled"
          + " after: " + reason + ")", stats());
    }
    vm.throttle(0);
    vm.resume();
    log.info("migration {}: {} does not run VM {}: it runs again on {}", request.getMigrationId(),
        request.getDestinationHost(), request.getVm(), ctx.hostName());
    return MigrationOutcome.rolledBack(reason + "; " + request.getDestinationHost() + " does not run the VM: it runs"
        + " again on " + ctx.hostName(), stats());
  }

  private MigrationOutcome migrate() {
    VirtualMachine vm = ctx.hypervisor().find(request.getVm()).orElse(null);
    if (vm == null || vm.state() != VmState.VM_RUNNING) {
      return MigrationOutcome.failed("VM " + request.getVm() + " is not running on " + ctx.hostName(), stats());
    }
    PageAccess access = (PageAccess) vm.migrationSupport();
    if (!access.disks().isEmpty() && !request.getLimits().getWithStorage()) {
      return MigrationOutcome.failed("VM " + request.getVm() + " has local disks: migrate it with storage"
          + " (limits.with_storage)", stats());
    }
    session = new DestinationSession(request.getDestinationEndpoint(), ctx.tls(), ctx.settings().rpcTimeout());
    try {
      PrepareResponse prepared = session.prepare(PrepareRequest.newBuilder().setTicket(request.getTicket())
          .setSpec(vm.spec()).setPageSizeBytes(access.memory().pageSizeBytes()).setStrategy(request.getStrategy())
          .setLimits(request.getLimits()).setSourceEndpoint(ctx.advertisedEndpoint().get()).build());
      log.info("migration {}: destination {} prepared VM {}", prepared.getMigrationId(),
          request.getDestinationHost(), request.getVm());
    } catch (StatusRuntimeException e) {
      return MigrationOutcome.rolledBack("destination refused to prepare: " + describe(e), stats());
    }
    progress.phase(MigrationPhase.PREPARED, "destination prepared");
    if (stopRequested()) {
      return rollBackRunning(stopReason());
    }
    limiter = new RateLimiter(request.getLimits().getBandwidthBytesPerSecond(), ctx.settings().ticker(),
        ctx.settings().waiter());
    int n = Math.max(1, Math.min(16, request.getLimits().getStreams()));
    streams = session.openStreams(request.getMigrationId(), n, ctx.settings().windowChunks(), limiter,
        ctx.settings().tamper());
    sender = new UnitSender(streams, ctx.pool(), ctx.settings().chunkUnits(), tally);
    progress.phase(MigrationPhase.TRANSFERRING, "transferring");
    return new Rounds(vm, access).run();
  }

  /** The pre-copy loop and what follows it, for one VM. */
  private final class Rounds {
    private final VirtualMachine vm;
    private final PageAccess access;
    private final ChunkEncoder memory;
    private final List<ChunkEncoder> disks = new ArrayList<>();
    private final ConvergencePolicy policy;

    Rounds(VirtualMachine vm, PageAccess access) {
      this.vm = vm;
      this.access = access;
      Compression compression = Compression.parse(request.getLimits().getCompression());
      long pages = access.memory().pageCount();
      XbzrleCache cache = ctx.settings().xbzrleCacheBytes() > 0
          ? new XbzrleCache(ctx.settings().xbzrleCacheBytes()) : null;
      this.memory = new ChunkEncoder(UnitStore.of(access.memory()), compression, cache, new DirtyBitmap(pages),
          counters);
      for (int i = 0; i < access.disks().size(); i++) {
        BlockDevice d = access.disks().get(i);
        disks.add(new ChunkEncoder(UnitStore.of(d, i), compression, null, new DirtyBitmap(d.blockCount()),
            counters));
      }
      MigrationStrategy s = request.getStrategy() == MigrationStrategy.STRATEGY_UNSPECIFIED
          ? MigrationStrategy.AUTO : request.getStrategy();
      this.policy = new ConvergencePolicy(s, request.getLimits().getAllowPostCopy(), maxDowntime, maxRounds);
    }

    MigrationOutcome run() {
      DirtyBitmap memToSend = allSet(access.memory().pageCount());
      List<DirtyBitmap> diskToSend = new ArrayList<>();
      access.memory().dirtyLog().snapshotAndClear();
      for (BlockDevice d : access.disks()) {
        d.dirtyLog().snapshotAndClear();
        diskToSend.add(allSet(d.blockCount()));
      }
      if (request.getStrategy() == MigrationStrategy.POST_COPY) {
        progress.strategyInUse(MigrationStrategy.POST_COPY);
        return switchover(memToSend, diskToSend, true);
      }
      long previousRemaining = Long.MAX_VALUE;
      double bandwidth = 0;
      for (int round = 0; ; round++) {
        long t0 = ctx.nanos();
        long wire0 = tally.totalBytes();
        String failure = sendAll(memToSend, diskToSend, round, false);
        if (failure != null) {
          return rollBackRunning(failure);
        }
        double seconds = Math.max(1e-6, (ctx.nanos() - t0) / 1e9);
        long wire = tally.totalBytes() - wire0;
        // the link's speed, measured on rounds big enough not to be dominated by latency
        if (wire >= (1 << 20) || bandwidth == 0) {
          bandwidth = Math.max(wire, 1) / seconds;
        }
        memToSend = access.memory().dirtyLog().snapshotAndClear();
        diskToSend = snapshotDisks();
        long remaining = memToSend.cardinality() * access.memory().pageSizeBytes() + diskBytes(diskToSend);
        progress.round(round + 1, remaining, remaining / seconds);
        log.debug("migration {} round {}: {} wire bytes in {} s, {} bytes dirty", request.getMigrationId(), round,
            wire, seconds, remaining);
        ConvergencePolicy.Decision d = policy.next(new ConvergencePolicy.Round(round, remaining,
            previousRemaining, bandwidth, remaining / seconds));
        progress.strategyInUse(d.strategyInUse());
        switch (d.action()) {
          case SWITCHOVER:
            return switchover(memToSend, diskToSend, false);
          case POST_COPY:
            log.info("migration {}: {}", request.getMigrationId(), d.reason());
            return switchover(memToSend, diskToSend, true);
          case GIVE_UP:
            return rollBackRunning(d.reason());
          case THROTTLE:
            log.info("migration {}: {}", request.getMigrationId(), d.reason());
            vm.throttle(d.throttle());
            break;
          default:
            break;
        }
        previousRemaining = remaining;
      }
    }

    private String sendAll(DirtyBitmap mem, List<DirtyBitmap> diskUnits, int round, boolean placeZeros) {
      for (int i = 0; i < disks.size(); i++) {
        String f = sender.send(disks.get(i), diskUnits.get(i), round, false, SourceMigration.this::stopRequested);
        if (f != null) {
          return stopRequested() ? stopReason() : f;
        }
      }
      String f = mem == null ? null : sender.send(memory, mem, round, placeZeros, SourceMigration.this::stopRequested);
      if (f == null) {
        f = sender.drain(SourceMigration.this::stopRequested);
      }
      return f == null ? null : stopRequested() ? stopReason() : f;
    }

    private MigrationOutcome switchover(DirtyBitmap memDirty, List<DirtyBitmap> diskDirty, boolean postCopy) {
      progress.phase(MigrationPhase.SWITCHOVER, postCopy ? "pausing for post-copy switchover" : "pausing");
      ctx.inDoubt().record(request);
      vm.pause();
      Instant pausedAt = vm.lastProgressAt();
      long counter = vm.progressCounter();
      memDirty.or(access.memory().dirtyLog().snapshotAndClear());
      List<DirtyBitmap> finalDisks = snapshotDisks();
      for (int i = 0; i < finalDisks.size(); i++) {
        finalDisks.get(i).or(diskDirty.get(i));
      }
      String failure = sendAll(postCopy ? null : memDirty, finalDisks, Integer.MAX_VALUE, false);
      if (failure == null) {
        failure = sendDeviceState();
      }
      if (failure == null && stopRequested()) {
        failure = stopReason();
      }
      if (failure != null) {
        return rollBackPaused(vm, failure, false);
      }
      SwitchoverRequest.Builder req = SwitchoverRequest.newBuilder().setMigrationId(request.getMigrationId())
          .setProgressCounter(counter).setPostCopy(postCopy)
          .setLastSequence(streams.stream().mapToLong(ChunkStream::sent).sum());
      if (pausedAt != null) {
        req.setPausedAt(timestamp(pausedAt));
      }
      if (ctx.settings().verifyFullDigest()) {
        if (!postCopy) {
          req.setMemoryDigest(ByteString.copyFrom(Checksums.digest(access.memory())));
        }
        if (!access.disks().isEmpty()) {
          req.setDiskDigest(ByteString.copyFrom(Checksums.digest(access.disks())));
        }
      }
      PostCopyPush push = null;
      if (postCopy) {
        req.setMissingPages(ByteString.copyFrom(memDirty.toByteArray()));
        push = new PostCopyPush(ctx, request.getMigrationId(), access.memory(), memDirty, tally, counters);
        ctx.postCopySources().put(request.getMigrationId(), push.source());
        progress.faults(push.source()::faults);
      }
      SwitchoverResponse resp;
      ctx.settings().failpoints().hit("migration.source.switchover", request.getVm());
      try {
        switchoverSent = true;
        resp = session.switchover(req.build());
      } catch (StatusRuntimeException e) {
        return rollBackPaused(vm, "switchover failed: " + describe(e), true);
      }
      if (!resp.getRunning()) {
        return rollBackPaused(vm, "destination did not start the VM", true);
      }
      if (pausedAt != null && resp.hasResumedAt()) {
        progress.downtime(Duration.between(pausedAt, Instant.ofEpochSecond(resp.getResumedAt().getSeconds(),
            resp.getResumedAt().getNanos())));
      }
      progress.phase(MigrationPhase.SWITCHOVER, postCopy ? "destination runs the VM; pushing remaining pages"
          : "destination runs the VM");
      if (postCopy) {
        String lost = push.run(session, streams, limiter);
        if (lost != null) {
          return MigrationOutcome.failed(lost, stats());
        }
        // every page is on the destination: stop answering faults before the local copy goes
        ctx.postCopySources().remove(request.getMigrationId());
      }
      vm.destroy();
      ctx.settings().failpoints().hit("migration.source.commit", request.getVm());
      try {
        session.commit(CommitRequest.newBuilder().setMigrationId(request.getMigrationId()).setStats(stats()).build());
      } catch (StatusRuntimeException e) {
        log.warn("migration {}: VM {} runs on {} but the commit notice failed ({}); the destination keeps it",
            request.getMigrationId(), request.getVm(), request.getDestinationHost(), describe(e));
      }
      streams.forEach(ChunkStream::complete);
      return MigrationOutcome.committed(stats());
    }

    private String sendDeviceState() {
      byte[] state = access.saveDeviceState();
      TransferChunk.Builder c = TransferChunk.newBuilder().setKind(ChunkKind.DEVICE_STATE).setEncoding(Encoding.RAW)
          .setCount(1).setPayload(ByteString.copyFrom(state))
          .setChecksum(Checksums.crc32c(state, 0, state.length));
      if (!streams.get(0).send(c, SourceMigration.this::stopRequested)) {
        return streams.get(0).failure() != null ? streams.get(0).failure() : stopReason();
      }
      tally.count(c);
      return sender.drain(SourceMigration.this::stopRequested);
    }

    private List<DirtyBitmap> snapshotDisks() {
      List<DirtyBitmap> out = new ArrayList<>();
      for (BlockDevice d : access.disks()) {
        out.add(d.dirtyLog().snapshotAndClear());
      }
      return out;
    }

    private long diskBytes(List<DirtyBitmap> dirty) {
      long n = 0;
      for (int i = 0; i < dirty.size(); i++) {
        n += dirty.get(i).cardinality() * access.disks().get(i).blockSizeBytes();
      }
      return n;
    }
  }

  /** Before the pause: tell the destination to discard its copy; the VM never stopped running here. */
  private MigrationOutcome rollBackRunning(String reason) {
    abortDestination(reason);
    ctx.hypervisor().find(request.getVm()).ifPresent(vm -> vm.throttle(0));
    log.info("migration {} of VM {} rolled back: {}; the VM keeps running on {}", request.getMigrationId(),
        request.getVm(), reason, ctx.hostName());
    return MigrationOutcome.rolledBack(reason, stats());
  }

  /**
   * After the pause: before the switchover call the destination cannot run the VM, so it resumes here at once;
   * after it, the destination may run it, and the copies are settled with the destination's answer.
   */
  private MigrationOutcome rollBackPaused(VirtualMachine vm, String reason, boolean afterSwitchoverCall) {
    if (afterSwitchoverCall) {
      return settle(vm, reason);
    }
    abortDestination(reason);
    vm.throttle(0);
    vm.resume();
    log.info("migration {} of VM {} rolled back after the pause: {}; the VM runs again on {}",
        request.getMigrationId(), request.getVm(), reason, ctx.hostName());
    return MigrationOutcome.rolledBack(reason, stats());
  }

  private boolean abortDestination(String reason) {
    if (streams != null) {
      streams.forEach(s -> s.cancel(reason));
    }
    if (session == null) {
      return true;
    }
    for (int attempt = 0; attempt < 3; attempt++) {
      try {
        session.abort(io.ferry.v1.AbortRequest.newBuilder().setMigrationId(request.getMigrationId())
            .setReason(reason).build());
        return true;
      } catch (StatusRuntimeException e) {
        log.warn("migration {}: abort to {} failed: {}", request.getMigrationId(), request.getDestinationHost(),
            describe(e));
      }
    }
    return false;
  }

  private boolean stopRequested() {
    return progress.cancelReason() != null || ctx.nanos() > deadlineNanos;
  }

  private String stopReason() {
    String c = progress.cancelReason();
    return c != null ? "cancelled: " + c : "timed out after " + request.getLimits().getTimeout().getSeconds() + " s";
  }

  @Override
  public io.ferry.v1.MigrationStats liveStats() {
    return stats();
  }

  private io.ferry.v1.MigrationStats stats() {
    return progress.stats(tally, counters);
  }

  static com.google.protobuf.Timestamp timestamp(Instant i) {
    return com.google.protobuf.Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
  }

  static String describe(StatusRuntimeException e) {
    return e.getStatus().getCode() + (e.getStatus().getDescription() == null ? ""
        : ": " + e.getStatus().getDescription());
  }

  private static DirtyBitmap allSet(long n) {
    DirtyBitmap b = new DirtyBitmap(n);
    b.setAll();
    return b;
  }
}
