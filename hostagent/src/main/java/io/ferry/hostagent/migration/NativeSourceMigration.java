package io.ferry.hostagent.migration;

import io.ferry.hostagent.hypervisor.NativeStream;
import io.ferry.hostagent.hypervisor.VirtualMachine;
import io.ferry.v1.AbortRequest;
import io.ferry.v1.CommitRequest;
import io.ferry.v1.MigrateVmRequest;
import io.ferry.v1.MigrationPhase;
import io.ferry.v1.MigrationStats;
import io.ferry.v1.MigrationStrategy;
import io.ferry.v1.PrepareRequest;
import io.ferry.v1.PrepareResponse;
import io.ferry.v1.RecoverRequest;
import io.ferry.v1.SwitchoverRequest;
import io.ferry.v1.SwitchoverResponse;
import io.ferry.v1.VmState;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source agent's side of a migration over the hypervisor's own stream ({@link NativeStream}, the {@code qemu}
 * driver): prepare on the destination agent (ticket, incoming VM listening), run the stream, then ask the
 * destination to confirm the guest runs there before this copy is removed, and commit. The engine's safety rules
 * hold as for its own stream: before the hypervisor's commit point a failure leaves the VM running here and the
 * destination cleaned; after it the source copy (paused for good) is removed only once the destination confirms.
 */
final class NativeSourceMigration implements OutgoingMigration {
  private static final Logger log = LoggerFactory.getLogger(NativeSourceMigration.class);
  private static final Duration CANCEL_POLL = Duration.ofMillis(100);

  private final EngineContext ctx;
  private final MigrateVmRequest request;
  private final MigrationProgress progress;
  private volatile MigrationStats hypervisorStats = MigrationStats.getDefaultInstance();
  private DestinationSession session;

  NativeSourceMigration(EngineContext ctx, MigrateVmRequest request, MigrationProgress progress) {
    this.ctx = ctx;
    this.request = request;
    this.progress = progress;
  }

  @Override
  public void run() {
    MigrationOutcome outcome;
    try {
      outcome = migrate();
    } catch (RuntimeException e) {
      log.error("migration {} of VM {}: unexpected error", request.getMigrationId(), request.getVm(), e);
      outcome = MigrationOutcome.failed("internal error: " + e + "; check where VM " + request.getVm() + " runs",
          liveStats());
    } finally {
      if (session != null) {
        session.close();
      }
    }
    progress.finish(outcome, liveStats());
  }

  private MigrationOutcome migrate() {
    VirtualMachine vm = ctx.hypervisor().find(request.getVm()).orElse(null);
    if (vm == null || vm.state() != VmState.VM_RUNNING) {
      return MigrationOutcome.failed("VM " + request.getVm() + " is not running on " + ctx.hostName(), liveStats());
    }
    NativeStream stream = (NativeStream) vm.migrationSupport();
    MigrationStrategy strategy = request.getStrategy() == MigrationStrategy.STRATEGY_UNSPECIFIED
        ? MigrationStrategy.AUTO : request.getStrategy();
    NativeStream.Outgoing out;
    try {
      out = stream.outgoing(strategy, request.getLimits());
    } catch (IllegalArgumentException e) {
      return MigrationOutcome.failed("VM " + request.getVm() + ": " + e.getMessage(), liveStats());
    }
    session = new DestinationSession(request.getDestinationEndpoint(), ctx.tls(), ctx.settings().rpcTimeout());
    PrepareResponse prepared;
    try {
      prepared = session.prepare(PrepareRequest.newBuilder().setTicket(request.getTicket()).setSpec(vm.spec())
          .setStrategy(strategy).setLimits(request.getLimits())
          .setSourceEndpoint(ctx.advertisedEndpoint().get()).build());
    } catch (StatusRuntimeException e) {
      return MigrationOutcome.rolledBack("destination refused to prepare: " + Wire.describe(e),
          liveStats());
    }
    progress.phase(MigrationPhase.PREPARED, "destination listening on " + prepared.getIncomingUri());
    if (progress.cancelReason() != null) {
      return rollBack("cancelled: " + progress.cancelReason());
    }
    progress.phase(MigrationPhase.TRANSFERRING, "transferring (native stream)");
    NativeStream.Result result = runStream(out, new NativeStream.Target(prepared.getIncomingUri(),
        prepared.getNbdUri()));
    hypervisorStats = result.stats();
    progress.strategyInUse(result.strategyInUse());
    return switch (result.outcome()) {
      case COMPLETED -> confirmAndCommit(vm, out);
      case CANCELLED -> rollBack(progress.cancelReason() != null ? "cancelled: " + progress.cancelReason()
          : result.reason());
      case FAILED -> result.sourceLost()
          ? MigrationOutcome.failed(result.reason(), liveStats())
          : rollBack(result.reason());
    };
  }

  /** Runs the stream, cancelling it when the migration is cancelled; keeps the progress counters current. */
  private NativeStream.Result runStream(NativeStream.Outgoing out, NativeStream.Target target) {
    ScheduledFuture<?> watch = ctx.timers().scheduleWithFixedDelay(() -> {
      if (progress.cancelReason() != null) {
        out.cancel();
      }
    }, CANCEL_POLL.toMillis(), CANCEL_POLL.toMillis(), TimeUnit.MILLISECONDS);
    try {
      return out.run(target, p -> {
        progress.round(p.rounds(), p.remainingBytes(), p.dirtyRateBytesPerSecond());
        progress.strategyInUse(p.strategyInUse());
      }, this::recover);
    } finally {
      watch.cancel(false);
    }
  }

  private Optional<String> recover() {
    try {
      String uri = session.recover(RecoverRequest.newBuilder().setMigrationId(request.getMigrationId()).build())
          .getIncomingUri();
      log.info("migration {}: post-copy stream broke; destination listens again on {}", request.getMigrationId(),
          uri);
      return Optional.of(uri);
    } catch (StatusRuntimeException e) {
      log.error("migration {}: post-copy stream broke and {} cannot recover it: {}", request.getMigrationId(),
          request.getDestinationHost(), Wire.describe(e));
      return Optional.empty();
    }
  }

  /**
   * The stream completed: the guest is paused here for good. Remove this copy only once the destination confirms
   * it runs the guest; if it says it does not (and has destroyed its copy), run the guest here again.
   */
  private MigrationOutcome confirmAndCommit(VirtualMachine vm, NativeStream.Outgoing out) {
    progress.phase(MigrationPhase.SWITCHOVER, "stream completed; destination confirming");
    SwitchoverResponse answer;
    try {
      answer = session.switchover(SwitchoverRequest.newBuilder().setMigrationId(request.getMigrationId())
          .setPausedAt(Wire.timestamp(out.pausedAt().orElse(ctx.clock().instant()))).build());
    } catch (StatusRuntimeException e) {
      return destinationDidNotConfirm(vm, out, Wire.describe(e));
    }
    if (!answer.getRunning()) {
      return destinationDidNotConfirm(vm, out, "destination reports the guest is not running");
    }
    if (out.pausedAt().isPresent() && answer.hasResumedAt()) {
      Instant resumed = Instant.ofEpochSecond(answer.getResumedAt().getSeconds(), answer.getResumedAt().getNanos());
      progress.downtime(Duration.between(out.pausedAt().get(), resumed));
    }
    vm.destroy();
    progress.phase(MigrationPhase.COMMITTED, "committed");
    try {
      session.commit(CommitRequest.newBuilder().setMigrationId(request.getMigrationId()).setStats(liveStats())
          .build());
    } catch (StatusRuntimeException e) {
      // The guest runs there and only there; the destination adopts it as its own without the commit.
      log.warn("migration {}: commit to {} failed ({}); the VM runs there", request.getMigrationId(),
          request.getDestinationHost(), Wire.describe(e));
    }
    log.info("migration {} of VM {} committed: runs on {}", request.getMigrationId(), request.getVm(),
        request.getDestinationHost());
    return MigrationOutcome.committed(liveStats());
  }

  private MigrationOutcome destinationDidNotConfirm(VirtualMachine vm, NativeStream.Outgoing out, String why) {
    if (!abortDestination(why)) {
      log.error("migration {}: VM {} stays PAUSED on {}: {} could not confirm it runs the guest ({}) nor that it"
          + " removed its copy; check {} and resume or destroy one copy", request.getMigrationId(), request.getVm(),
          ctx.hostName(), request.getDestinationHost(), why, request.getDestinationHost());
      return MigrationOutcome.failed(why + "; VM left paused on " + ctx.hostName()
          + " because the destination could not confirm either way", liveStats());
    }
    out.resumeSource();
    log.info("migration {} of VM {} rolled back after the stream completed: {}; the VM runs again on {}",
        request.getMigrationId(), vm.name(), why, ctx.hostName());
    return MigrationOutcome.rolledBack(why, liveStats());
  }

  private MigrationOutcome rollBack(String reason) {
    abortDestination(reason);
    log.info("migration {} of VM {} rolled back: {}; the VM keeps running on {}", request.getMigrationId(),
        request.getVm(), reason, ctx.hostName());
    return MigrationOutcome.rolledBack(reason, liveStats());
  }

  private boolean abortDestination(String reason) {
    for (int attempt = 0; attempt < 3; attempt++) {
      try {
        session.abort(AbortRequest.newBuilder().setMigrationId(request.getMigrationId()).setReason(reason).build());
        return true;
      } catch (StatusRuntimeException e) {
        log.warn("migration {}: abort to {} failed: {}", request.getMigrationId(), request.getDestinationHost(),
            Wire.describe(e));
      }
    }
    return false;
  }

  /** The hypervisor's counters, with the engine's own total time and guest-visible downtime. */
  @Override
  public MigrationStats liveStats() {
    MigrationStats engine = progress.stats(new TransferTally(), new io.ferry.hostagent.migration.codec.EncodeCounters());
    MigrationStats.Builder b = hypervisorStats.toBuilder().setTotal(engine.getTotal());
    if (engine.hasDowntime()) {
      b.setDowntime(engine.getDowntime());
    }
    if (engine.getRounds() > b.getRounds()) {
      b.setRounds(engine.getRounds());
    }
    return b.build();
  }
}
