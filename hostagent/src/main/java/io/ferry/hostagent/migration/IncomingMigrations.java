package io.ferry.hostagent.migration;

import io.ferry.common.tickets.TicketCheck;
import io.ferry.common.tickets.TicketVerifier;
import io.ferry.hostagent.hypervisor.PageAccess;
import io.ferry.hostagent.hypervisor.VirtualMachine;
import io.ferry.v1.PrepareRequest;
import io.ferry.v1.PrepareResponse;
import io.grpc.Status;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The destination agent's incoming migrations: admits them on a valid ticket, finds them by id, and discards the
 * ones whose source went silent before the switchover.
 */
final class IncomingMigrations implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(IncomingMigrations.class);

  private final EngineContext ctx;
  private final TicketVerifier tickets;
  private final Map<String, IncomingMigration> byId = new ConcurrentHashMap<>();
  private final ScheduledFuture<?> watchdog;

  IncomingMigrations(EngineContext ctx, TicketVerifier tickets) {
    this.ctx = ctx;
    this.tickets = tickets;
    long periodNanos = Math.max(ctx.settings().incomingIdleTimeout().toNanos() / 4, 10_000_000L);
    this.watchdog = ctx.timers().scheduleWithFixedDelay(this::discardSilent, periodNanos, periodNanos,
        TimeUnit.NANOSECONDS);
  }

  PrepareResponse prepare(PrepareRequest req) {
    TicketCheck check = tickets.verifyAndConsume(req.getTicket());
    if (!check.accepted()) {
      log.warn("{}: refused incoming migration of VM {}: {}", ctx.hostName(), req.getSpec().getName(),
          check.message());
      Status status = switch (check.reason()) {
        case EXPIRED -> Status.FAILED_PRECONDITION;
        case REPLAYED -> Status.ALREADY_EXISTS;
        case MALFORMED -> Status.INVALID_ARGUMENT;
        default -> Status.PERMISSION_DENIED;
      };
      throw status.withDescription(check.message()).asRuntimeException();
    }
    String id = req.getTicket().getMigrationId();
    if (!req.getTicket().getVm().equals(req.getSpec().getName())) {
      throw Status.INVALID_ARGUMENT.withDescription("ticket " + id + " authorises VM " + req.getTicket().getVm()
          + ", not " + req.getSpec().getName()).asRuntimeException();
    }
    if (ctx.hypervisor().find(req.getSpec().getName()).isPresent()) {
      throw Status.ALREADY_EXISTS.withDescription("VM " + req.getSpec().getName() + " already exists on "
          + ctx.hostName()).asRuntimeException();
    }
    VirtualMachine vm;
    try {
      vm = ctx.hypervisor().defineIncoming(req.getSpec());
    } catch (RuntimeException e) {
      throw Status.RESOURCE_EXHAUSTED.withDescription("cannot create incoming VM " + req.getSpec().getName()
          + " on " + ctx.hostName() + ": " + e.getMessage()).asRuntimeException();
    }
    if (!(vm.migrationSupport() instanceof PageAccess)) {
      vm.destroy();
      throw Status.UNIMPLEMENTED.withDescription("driver " + ctx.hypervisor().name()
          + " receives migrations through its native stream").asRuntimeException();
    }
    byId.put(id, new IncomingMigration(ctx, id, req.getSourceEndpoint(), vm));
    log.info("{}: prepared incoming migration {} of VM {} from {}", ctx.hostName(), id, vm.name(),
        req.getTicket().getSourceHost());
    ctx.settings().failpoints().hit("migration.destination.prepare", vm.name());
    return PrepareResponse.newBuilder().setMigrationId(id).build();
  }

  Optional<IncomingMigration> find(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  IncomingMigration require(String id) {
    IncomingMigration m = byId.get(id);
    if (m == null) {
      throw Status.NOT_FOUND.withDescription("no incoming migration " + id + " on " + ctx.hostName())
          .asRuntimeException();
    }
    return m;
  }

  void commit(String id) {
    require(id).commit();
    byId.remove(id);
  }

  void abort(String id, String reason) {
    IncomingMigration m = byId.get(id);
    if (m == null) {
      return;
    }
    if (m.state() == IncomingMigration.State.COMMITTED) {
      throw Status.FAILED_PRECONDITION.withDescription("migration " + id + " already committed on "
          + ctx.hostName()).asRuntimeException();
    }
    m.discard("source aborted: " + reason);
    byId.remove(id);
  }

  /** Discards {@code m} when it has not reached the switchover (the source broke its stream or went silent). */
  void discardBeforeSwitchover(IncomingMigration m, String reason) {
    if (m.state() == IncomingMigration.State.PREPARED && m.discard(reason)) {
      byId.remove(m.migrationId(), m);
    }
  }

  private void discardSilent() {
    long limit = ctx.settings().incomingIdleTimeout().toNanos();
    for (IncomingMigration m : byId.values()) {
      if (m.state() == IncomingMigration.State.PREPARED && m.idleNanos() > limit) {
        discardBeforeSwitchover(m, "source silent for more than " + ctx.settings().incomingIdleTimeout());
      } else if (m.state() == IncomingMigration.State.DISCARDED) {
        byId.remove(m.migrationId(), m);
      }
    }
  }

  @Override
  public void close() {
    watchdog.cancel(false);
    byId.values().forEach(m -> m.discard("agent shutting down"));
    byId.clear();
  }
}
