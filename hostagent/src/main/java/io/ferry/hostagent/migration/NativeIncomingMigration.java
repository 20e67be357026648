package io.ferry.hostagent.migration;

import io.ferry.common.HostPort;
import io.ferry.hostagent.hypervisor.NativeStream;
import io.ferry.hostagent.hypervisor.VirtualMachine;
import io.ferry.v1.SwitchoverRequest;
import io.ferry.v1.SwitchoverResponse;
import io.grpc.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The destination's side of a migration over the hypervisor's own stream: the incoming hypervisor listens, the
 * source's hypervisor sends, and this side confirms to the source agent that the guest runs here (or discards the
 * incoming VM when the stream never completed).
 */
final class NativeIncomingMigration implements IncomingSide {
  private static final Logger log = LoggerFactory.getLogger(NativeIncomingMigration.class);

  private final EngineContext ctx;
  private final String migrationId;
  private final VirtualMachine vm;
  private final NativeStream.Incoming incoming;
  private volatile State state = State.PREPARED;

  NativeIncomingMigration(EngineContext ctx, String migrationId, VirtualMachine vm, NativeStream.Incoming incoming) {
    this.ctx = ctx;
    this.migrationId = migrationId;
    this.vm = vm;
    this.incoming = incoming;
  }

  @Override
  public String migrationId() {
    return migrationId;
  }

  @Override
  public State state() {
    return state;
  }

  NativeStream.Target target() {
    return incoming.target();
  }

  @Override
  public synchronized SwitchoverResponse switchover(SwitchoverRequest request) {
    if (state == State.DISCARDED) {
      throw Status.FAILED_PRECONDITION.withDescription("migration " + migrationId + " was discarded on "
          + ctx.hostName()).asRuntimeException();
    }
    if (!incoming.awaitRunning(ctx.settings().rpcTimeout())) {
      discard("the guest did not start here after the stream completed");
      throw Status.ABORTED.withDescription("migration " + migrationId + ": VM " + vm.name() + " did not start on "
          + ctx.hostName() + " within " + ctx.settings().rpcTimeout().toMillis() + " ms; incoming VM discarded")
          .asRuntimeException();
    }
    if (state == State.PREPARED) {
      state = State.RUNNING;
      incoming.finish();
      log.info("migration {}: VM {} runs here now", migrationId, vm.name());
    }
    SwitchoverResponse.Builder b = SwitchoverResponse.newBuilder().setRunning(true);
    incoming.resumedAt().ifPresent(t -> b.setResumedAt(Wire.timestamp(t)));
    return b.build();
  }

  @Override
  public synchronized void commit() {
    if (state == State.DISCARDED) {
      throw Status.FAILED_PRECONDITION.withDescription("migration " + migrationId + " was discarded")
          .asRuntimeException();
    }
    state = State.COMMITTED;
    log.info("migration {}: committed; VM {} belongs to this host", migrationId, vm.name());
  }

  @Override
  public synchronized boolean discard(String reason) {
    if (state == State.COMMITTED || state == State.DISCARDED) {
      return state == State.DISCARDED;
    }
    if (state == State.RUNNING || incoming.resumedAt().isPresent()) {
      // past the hypervisor's commit point: the guest runs here and nowhere else; never destroy it
      log.warn("migration {}: not discarding VM {} ({}): it already runs here", migrationId, vm.name(), reason);
      return false;
    }
    state = State.DISCARDED;
    vm.destroy();
    log.info("migration {}: discarded incoming VM {}: {}", migrationId, vm.name(), reason);
    return true;
  }

  /**
   * The source's hypervisor talks to ours, not to this agent, so silence of the source agent means nothing here; the
   * migration is abandoned only when the incoming hypervisor died before the guest ran. A guest that started
   * without the source agent's confirmation (that agent died after the stream completed) is this host's now.
   */
  @Override
  public boolean abandoned(long idleLimitNanos) {
    if (state == State.PREPARED && incoming.resumedAt().isPresent()) {
      synchronized (this) {
        state = State.RUNNING;
      }
      log.info("migration {}: VM {} runs here (the stream completed without word from the source agent)",
          migrationId, vm.name());
      incoming.finish();
      return false;
    }
    return state == State.PREPARED && !incoming.alive();
  }

  String recover() {
    if (state == State.DISCARDED) {
      throw Status.FAILED_PRECONDITION.withDescription("migration " + migrationId + " was discarded on "
          + ctx.hostName()).asRuntimeException();
    }
    return incoming.recover(HostPort.parse(ctx.advertisedEndpoint().get()).host());
  }
}
