package io.ferry.hostagent.migration;

import io.ferry.common.HostPort;
import io.ferry.common.tickets.TicketCheck;
import io.ferry.common.tickets.TicketVerifier;
import io.ferry.hostagent.hypervisor.NativeStream;
import io.ferry.hostagent.hypervisor.VirtualMachine;
import io.ferry.v1.MigrationStrategy;
import io.ferry.v1.PrepareRequest;
import io.ferry.v1.PrepareResponse;
import io.ferry.v1.RecoverResponse;
import io.grpc.Status;
import java.time.Duration;
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
  private final Map<String, IncomingSide> byId = new ConcurrentHashMap<>();
  private final ScheduledFuture<?> watchdog;

  IncomingMigrations(EngineContext ctx, TicketVerifier tickets) {
    this.ctx = ctx;
    this.tickets = tickets;
    long periodNanos = checkPeriod(ctx.settings().incomingIdleTimeout()).toNanos();
    this.watchdog = ctx.timers().scheduleWithFixedDelay(this::discardSilent, periodNanos, periodNanos,
        TimeUnit.NANOSECONDS);
  }

  /** How often silent sources are looked for: a quarter of the idle timeout, at least 10 ms. */
  static Duration checkPeriod(Duration incomingIdleTimeout) {
    return Duration.ofNanos(Math.max(incomingIdleTimeout.toNanos() / 4, 10_000_000L));
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
    Optional<String> refusal = ctx.hypervisor().refuseIncoming(req.getSpec());
    if (refusal.isPresent()) {
      log.warn("{}: refused incoming migration {}: {}", ctx.hostName(), id, refusal.get());
      throw Status.FAILED_PRECONDITION.withDescription(refusal.get()).asRuntimeException();
    }
    VirtualMachine vm;
    try {
      vm = ctx.hypervisor().defineIncoming(req.getSpec());
    } catch (RuntimeException e) {
      throw Status.RESOURCE_EXHAUSTED.withDescription("cannot create incoming VM " + req.getSpec().getName()
          + " on " + ctx.hostName() + ": " + e.getMessage()).asRuntimeException();
    }
    PrepareResponse.Builder answer = PrepareResponse.newBuilder().setMigrationId(id);
    if (vm.migrationSupport() instanceof NativeStream stream) {
      NativeStream.Incoming listening;
      try {
        listening = stream.listen(req.getStrategy() == MigrationStrategy.STRATEGY_UNSPECIFIED
            ? MigrationStrategy.AUTO : req.getStrategy(), req.getLimits(), HostPort.parse(ctx.advertisedEndpoint().get()).host());
      } catch (RuntimeException e) {
        vm.destroy();
        throw Status.FAILED_PRECONDITION.withDescription("cannot receive VM " + req.getSpec().getName() + " on "
            + ctx.hostName() + ": " + e.getMessage()).asRuntimeException();
      }
      byId.put(id, new NativeIncomingMigration(ctx, id, vm, listening));
      answer.setIncomingUri(listening.target().streamUri()).setNbdUri(listening.target().storageUri());
    } else {
      IncomingMigration m = new IncomingMigration(ctx, id, req.getSourceEndpoint(), vm);
      byId.put(id, m);
      try {
        ctx.data().endpoint().ifPresent(e -> answer.setDataEndpoint(e)
            .setDataToken(com.google.protobuf.ByteString.copyFrom(m.dataToken())));
      } catch (RuntimeException e) {
        log.warn("{}: no data channel ({}); migration {} streams over Transfer calls", ctx.hostName(),
            e.getMessage(), id);
      }
    }
    log.info("{}: prepared incoming migration {} of VM {} from {}", ctx.hostName(), id, vm.name(),
        req.getTicket().getSourceHost());
    ctx.settings().failpoints().hit("migration.destination.prepare", vm.name());
    return answer.build();
  }

  /** Post-copy recovery of a native stream: the incoming hypervisor listens again; returns where. */
  RecoverResponse recover(String id) {
    if (!(require(id) instanceof NativeIncomingMigration m)) {
      throw Status.FAILED_PRECONDITION.withDescription("migration " + id + " does not use a native stream")
          .asRuntimeException();
    }
    return RecoverResponse.newBuilder().setIncomingUri(m.recover()).build();
  }

  Optional<IncomingSide> find(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  IncomingSide require(String id) {
    IncomingSide m = byId.get(id);
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
    IncomingSide m = byId.get(id);
    if (m == null) {
      return;
    }
    if (m.state() == IncomingSide.State.COMMITTED) {
      throw Status.FAILED_PRECONDITION.withDescription("migration " + id + " already committed on "
          + ctx.hostName()).asRuntimeException();
    }
    m.discard("source aborted: " + reason);
    byId.remove(id);
  }

  /** Discards {@code m} when it has not reached the switchover (the source broke its stream or went silent). */
  void discardBeforeSwitchover(IncomingSide m, String reason) {
    if (m.state() == IncomingSide.State.PREPARED && m.discard(reason)) {
      byId.remove(m.migrationId(), m);
    }
  }

  private void discardSilent() {
    long limit = ctx.settings().incomingIdleTimeout().toNanos();
    for (IncomingSide m : byId.values()) {
      if (m.abandoned(limit)) {
        discardBeforeSwitchover(m, "source gone (silent for more than " + ctx.settings().incomingIdleTimeout()
            + ", or the incoming hypervisor died)");
      } else if (m.state() == IncomingSide.State.DISCARDED) {
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
