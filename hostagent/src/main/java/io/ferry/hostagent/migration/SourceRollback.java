package io.ferry.hostagent.migration;

import io.ferry.hostagent.hypervisor.VirtualMachine;
import io.ferry.v1.AbortRequest;
import io.ferry.v1.CommitRequest;
import io.ferry.v1.MigrateVmRequest;
import io.ferry.v1.MigrationPhase;
import io.grpc.StatusRuntimeException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Undoing an outgoing migration before the commit point. What there is to undo grows as the migration advances:
 * a prepared destination, open transfer streams, a switchover request the destination may have acted on.
 */
final class SourceRollback {
  private static final Logger log = LoggerFactory.getLogger(SourceRollback.class);

  private final SourceContext sc;
  private DestinationSession destination;
  private OutgoingTransfer transfer;
  private volatile boolean switchoverSent;

  SourceRollback(SourceContext sc) {
    this.sc = sc;
  }

  void prepared(DestinationSession session) {
    this.destination = session;
  }

  void transferring(OutgoingTransfer t) {
    this.transfer = t;
  }

  /** From now on the destination may run the VM: a failure no longer proves it does not. */
  void switchoverSent() {
    switchoverSent = true;
  }

  /** Before the pause: tell the destination to discard its copy; the VM never stopped running here. */
  MigrationOutcome running(String reason) {
    abortDestination(reason);
    sc.engine().hypervisor().find(sc.request().getVm()).ifPresent(vm -> vm.throttle(0));
    log.info("migration {} of VM {} rolled back: {}; the VM keeps running on {}", sc.migrationId(),
        sc.request().getVm(), reason, sc.engine().hostName());
    return MigrationOutcome.rolledBack(reason, sc.stats());
  }

  /**
   * After the pause: before the switchover call the destination cannot run the VM, so it resumes here at once;
   * after it, the destination may run it, and the copies are settled with the destination's answer.
   */
  MigrationOutcome paused(VirtualMachine vm, String reason) {
    if (switchoverSent) {
      return settle(vm, reason);
    }
    abortDestination(reason);
    vm.throttle(0);
    vm.resume();
    log.info("migration {} of VM {} rolled back after the pause: {}; the VM runs again on {}", sc.migrationId(),
        sc.request().getVm(), reason, sc.engine().hostName());
    return MigrationOutcome.rolledBack(reason, sc.stats());
  }

  /**
   * The VM is paused here and the destination may run it (the switchover call failed, or the agent restarted in
   * it): ask the destination until it answers, then keep exactly one copy. Waits as long as it takes: resuming on a
   * guess could run the VM twice.
   */
  MigrationOutcome settle(VirtualMachine vm, String reason) {
    MigrateVmRequest request = sc.request();
    String host = sc.engine().hostName();
    if (transfer != null) {
      transfer.cancel(reason);
    }
    sc.progress().phase(MigrationPhase.SWITCHOVER, "in doubt (" + reason + "): VM paused on " + host
        + " until " + request.getDestinationHost() + " says whether it runs it");
    log.warn("migration {}: {}; VM {} stays paused on {} until {} says whether it runs it", sc.migrationId(),
        reason, request.getVm(), host, request.getDestinationHost());
    Optional<InDoubtMigrations.Answer> answer = sc.engine().inDoubt().ask(request);
    if (answer.isEmpty()) {
      return MigrationOutcome.failed(reason + "; VM left paused on " + host + ": the agent stopped before "
          + request.getDestinationHost() + " answered (the next agent process settles it)", sc.stats());
    }
    if (answer.get() == InDoubtMigrations.Answer.DESTINATION_RUNS_IT) {
      vm.destroy();
      try (DestinationSession s = new DestinationSession(request.getDestinationEndpoint(), sc.engine().tls(),
          sc.engine().settings().rpcTimeout())) {
        s.commit(CommitRequest.newBuilder().setMigrationId(sc.migrationId()).setStats(sc.stats()).build());
      } catch (StatusRuntimeException e) {
        log.info("migration {}: commit notice to {} not delivered ({}); it runs the VM anyway", sc.migrationId(),
            request.getDestinationHost(), Wire.describe(e));
      }
      log.info("migration {}: {} runs VM {}: paused copy on {} destroyed", sc.migrationId(),
          request.getDestinationHost(), request.getVm(), host);
      return new MigrationOutcome(MigrationPhase.COMMITTED, request.getDestinationHost() + " runs the VM (settled"
          + " after: " + reason + ")", sc.stats());
    }
    vm.throttle(0);
    vm.resume();
    log.info("migration {}: {} does not run VM {}: it runs again on {}", sc.migrationId(),
        request.getDestinationHost(), request.getVm(), host);
    return MigrationOutcome.rolledBack(reason + "; " + request.getDestinationHost() + " does not run the VM: it runs"
        + " again on " + host, sc.stats());
  }

  private boolean abortDestination(String reason) {
    if (transfer != null) {
      transfer.cancel(reason);
    }
    if (destination == null) {
      return true;
    }
    for (int attempt = 0; attempt < 3; attempt++) {
      try {
        destination.abort(AbortRequest.newBuilder().setMigrationId(sc.migrationId()).setReason(reason).build());
        return true;
      } catch (StatusRuntimeException e) {
        log.warn("migration {}: abort to {} failed: {}", sc.migrationId(), sc.request().getDestinationHost(),
            Wire.describe(e));
      }
    }
    return false;
  }
}
