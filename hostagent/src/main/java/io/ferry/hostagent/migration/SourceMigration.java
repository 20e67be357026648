package io.ferry.hostagent.migration;

import io.ferry.hostagent.hypervisor.PageAccess;
import io.ferry.hostagent.hypervisor.VirtualMachine;
import io.ferry.v1.MigrateVmRequest;
import io.ferry.v1.MigrationPhase;
import io.ferry.v1.MigrationStats;
import io.ferry.v1.PrepareRequest;
import io.ferry.v1.PrepareResponse;
import io.ferry.v1.VmState;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source agent's side of one migration (libvirt peer-to-peer phases), in order: prepare on the destination
 * (here), pre-copy rounds ({@link PreCopyRounds}), then pause, final transfer, switchover, post-copy push, destroy
 * the local copy and commit ({@link Switchover}). Any failure before the destination confirms it runs leaves the VM
 * running here and the destination cleaned ({@link SourceRollback}).
 */
final class SourceMigration implements OutgoingMigration {
  private static final Logger log = LoggerFactory.getLogger(SourceMigration.class);

  // The engine keeps this object for status reports after the migration ended: the phases' state (streams,
  // encoders with their delta cache of up to xbzrleCacheBytes) lives only while run() does.
  private final SourceContext sc;
  private DestinationSession session;

  SourceMigration(EngineContext ctx, MigrateVmRequest request, MigrationProgress progress) {
    this.sc = SourceContext.of(ctx, request, progress);
  }

  @Override
  public void run() {
    EngineContext ctx = sc.engine();
    MigrateVmRequest request = sc.request();
    SourceRollback rollback = new SourceRollback(sc);
    MigrationOutcome outcome;
    try {
      outcome = migrate(rollback);
    } catch (RuntimeException e) {
      log.error("migration {} of VM {}: unexpected error; rolling back", request.getMigrationId(), request.getVm(), e);
      VirtualMachine vm = ctx.hypervisor().find(request.getVm()).orElse(null);
      outcome = vm != null && vm.state() == VmState.VM_PAUSED
          ? rollback.paused(vm, "internal error: " + e)
          : rollback.running("internal error: " + e);
    } finally {
      if (session != null) {
        session.close();
        session = null;
      }
      ctx.postCopySources().remove(request.getMigrationId());
    }
    forgetUnlessPaused();
    sc.progress().finish(outcome, sc.stats());
  }

  /**
   * After an agent restart, for a migration the previous process had paused its VM for: the VM is gone (the commit
   * point had passed: the destination has it), runs (the pause never happened, so no switchover was sent), or is
   * paused, and then only the destination can say which copy is the VM.
   */
  void settleAfterRestart() {
    EngineContext ctx = sc.engine();
    MigrateVmRequest request = sc.request();
    SourceRollback rollback = new SourceRollback(sc);
    MigrationOutcome outcome;
    VirtualMachine vm = ctx.hypervisor().find(request.getVm()).orElse(null);
    if (vm == null) {
      outcome = new MigrationOutcome(MigrationPhase.COMMITTED, "the VM had left " + ctx.hostName()
          + " before the agent restarted: " + request.getDestinationHost() + " runs it", sc.stats());
    } else if (vm.state() == VmState.VM_PAUSED) {
      outcome = rollback.settle(vm, "agent restarted during the switchover");
    } else {
      rollback.running("the source restarted before the switchover");
      outcome = MigrationOutcome.rolledBack("agent restarted before the switchover; the VM runs on "
          + ctx.hostName(), sc.stats());
    }
    forgetUnlessPaused();
    log.info("migration {} of VM {} settled after the restart: {} ({})", request.getMigrationId(), request.getVm(),
        outcome.result(), outcome.reason());
    sc.progress().finish(outcome, sc.stats());
  }

  /** The record of this migration goes once its VM is not paused here any more (destroyed or running again). */
  private void forgetUnlessPaused() {
    boolean paused = sc.engine().hypervisor().find(sc.request().getVm())
        .map(v -> v.state() == VmState.VM_PAUSED).orElse(false);
    if (!paused) {
      sc.engine().inDoubt().forget(sc.migrationId());
    }
  }

  private MigrationOutcome migrate(SourceRollback rollback) {
    EngineContext ctx = sc.engine();
    MigrateVmRequest request = sc.request();
    VirtualMachine vm = ctx.hypervisor().find(request.getVm()).orElse(null);
    if (vm == null || vm.state() != VmState.VM_RUNNING) {
      return MigrationOutcome.failed("VM " + request.getVm() + " is not running on " + ctx.hostName(), sc.stats());
    }
    PageAccess access = (PageAccess) vm.migrationSupport();
    if (!access.disks().isEmpty() && !request.getLimits().getWithStorage()) {
      return MigrationOutcome.failed("VM " + request.getVm() + " has local disks: migrate it with storage"
          + " (limits.with_storage)", sc.stats());
    }
    session = new DestinationSession(request.getDestinationEndpoint(), ctx.tls(), ctx.settings().rpcTimeout(),
        ctx.data().channel(), ctx.metrics());
    try {
      PrepareResponse prepared = session.prepare(PrepareRequest.newBuilder().setTicket(request.getTicket())
          .setSpec(vm.spec()).setPageSizeBytes(access.memory().pageSizeBytes()).setStrategy(request.getStrategy())
          .setLimits(request.getLimits()).setSourceEndpoint(ctx.advertisedEndpoint().get()).build());
      log.info("migration {}: destination {} prepared VM {}; streams {}", prepared.getMigrationId(),
          request.getDestinationHost(), request.getVm(), prepared.getDataEndpoint().isBlank() ? "as Transfer calls"
              : "on its data channel " + prepared.getDataEndpoint());
    } catch (StatusRuntimeException e) {
      return MigrationOutcome.rolledBack("destination refused to prepare: " + Wire.describe(e), sc.stats());
    }
    rollback.prepared(session);
    sc.progress().phase(MigrationPhase.PREPARED, "destination prepared");
    if (sc.stopRequested()) {
      return rollback.running(sc.stopReason());
    }
    OutgoingTransfer transfer = OutgoingTransfer.open(sc, session, access);
    rollback.transferring(transfer);
    sc.progress().phase(MigrationPhase.TRANSFERRING, "transferring");
    PreCopyRounds.Next next = new PreCopyRounds(sc, vm, access, transfer).run();
    if (next.stopped()) {
      return rollback.running(next.stopReason());
    }
    return new Switchover(sc, vm, access, session, transfer, rollback).run(next.remaining(), next.postCopy());
  }

  @Override
  public MigrationStats liveStats() {
    return sc.stats();
  }
}
