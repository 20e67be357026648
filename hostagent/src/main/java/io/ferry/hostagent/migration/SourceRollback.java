package io.ferry.hostagent.migration;

import io.ferry.hostagent.hypervisor.VirtualMachine;
import io.ferry.v1.AbortRequest;
import io.grpc.StatusRuntimeException;
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
   * After the pause: resume here only once the destination surely does not run the VM — it never received the
   * switchover, or it acknowledged the abort. Otherwise stay paused and report FAILED for a person to resolve.
   */
  MigrationOutcome paused(VirtualMachine vm, String reason) {
    boolean aborted = abortDestination(reason);
    String host = sc.engine().hostName();
    String destinationHost = sc.request().getDestinationHost();
    if (!aborted && switchoverSent) {
      log.error("migration {}: VM {} stays PAUSED on {}: switchover failed ({}) and {} cannot confirm it does not"
          + " run the VM; check {} and resume or destroy one copy", sc.migrationId(), sc.request().getVm(), host,
          reason, destinationHost, destinationHost);
      return MigrationOutcome.failed(reason + "; VM left paused on " + host
          + " because the destination could not confirm the abort", sc.stats());
    }
    vm.throttle(0);
    vm.resume();
    log.info("migration {} of VM {} rolled back after the pause: {}; the VM runs again on {}", sc.migrationId(),
        sc.request().getVm(), reason, host);
    return MigrationOutcome.rolledBack(reason, sc.stats());
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
