package io.ferry.hostagent.agent;

import io.ferry.v1.CancelMigrationRequest;
import io.ferry.v1.CancelMigrationResponse;
import io.ferry.v1.GetInventoryRequest;
import io.ferry.v1.GetMigrationRequest;
import io.ferry.v1.MigrateVmRequest;
import io.ferry.v1.MigrateVmResponse;
import io.ferry.v1.MigrationStatus;
import io.ferry.v1.HostAgentGrpc;
import io.ferry.v1.HostMode;
import io.ferry.v1.Inventory;
import io.ferry.v1.PowerState;
import io.ferry.v1.SetHostModeRequest;
import io.ferry.v1.SetPowerStateRequest;
import io.ferry.v1.SetPowerStateResponse;
import io.ferry.v1.SetHostModeResponse;
import io.ferry.v1.StartVmRequest;
import io.ferry.v1.StartVmResponse;
import io.ferry.v1.StopVmRequest;
import io.ferry.v1.StopVmResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The agent's command API. Every command passes the {@link EpochFence} first. */
public class HostAgentService extends HostAgentGrpc.HostAgentImplBase {
  private static final Logger log = LoggerFactory.getLogger(HostAgentService.class);

  private final String host;
  private final AtomicReference<InventorySource> inventory = new AtomicReference<>();
  private final EpochFence fence;
  private volatile MigrationDriver migrations = MigrationDriver.unsupported("this agent has no migration engine");
  private volatile VmLifecycle vms;
  private final AtomicReference<HostMode> mode = new AtomicReference<>(HostMode.HOST_MODE_NORMAL);
  private final AtomicReference<PowerState> power = new AtomicReference<>(PowerState.POWER_ON);

  /** The service can be registered before the inventory exists; until {@link #ready} it answers UNAVAILABLE. */
  public HostAgentService(String host, EpochFence fence) {
    this.host = host;
    this.fence = fence;
  }

  public void ready(InventorySource source) {
    inventory.set(source);
  }

  public void migrations(MigrationDriver driver) {
    this.migrations = driver;
  }

  public MigrationDriver migrations() {
    return migrations;
  }

  /** Start/stop of VMs on the host's hypervisor; without it StartVm and StopVm are refused. */
  public void vms(VmLifecycle lifecycle) {
    this.vms = lifecycle;
  }

  public Inventory inventory() {
    InventorySource source = inventory.get();
    if (source == null) {
      throw Status.UNAVAILABLE.withDescription("agent " + host + " is starting").asRuntimeException();
    }
    return Inventory.newBuilder()
        .setFacts(source.facts())
        .addAllVms(source.vms())
        .setPower(power.get())
        .setMode(mode.get())
        .setHighestEpochSeen(fence.highestSeen())
        .addAllMigrations(migrations.list())
        .build();
  }

  public HostMode mode() {
    return mode.get();
  }

  public PowerState power() {
    return power.get();
  }

  @Override
  public void getInventory(GetInventoryRequest request, StreamObserver<Inventory> out) {
    Inventory inv;
    try {
      inv = inventory();
    } catch (StatusRuntimeException e) {
      out.onError(e);
      return;
    }
    out.onNext(inv);
    out.onCompleted();
  }

  @Override
  public void migrateVm(MigrateVmRequest request, StreamObserver<MigrateVmResponse> out) {
    try {
      fence.admit(request.getMeta().getEpoch(), "migrate " + request.getVm());
      MigrationStatus st = migrations.start(request);
      out.onNext(MigrateVmResponse.newBuilder().setStatus(st).build());
      out.onCompleted();
    } catch (StatusRuntimeException e) {
      out.onError(e);
    }
  }

  @Override
  public void getMigration(GetMigrationRequest request, StreamObserver<MigrationStatus> out) {
    Optional<MigrationStatus> st = migrations.status(request.getMigrationId());
    if (st.isEmpty()) {
      out.onError(Status.NOT_FOUND.withDescription("migration " + request.getMigrationId()
          + " is unknown on host " + host).asRuntimeException());
      return;
    }
    out.onNext(st.get());
    out.onCompleted();
  }

  @Override
  public void cancelMigration(CancelMigrationRequest request, StreamObserver<CancelMigrationResponse> out) {
    try {
      fence.admit(request.getMeta().getEpoch(), "cancel " + request.getMigrationId());
    } catch (StatusRuntimeException e) {
      out.onError(e);
      return;
    }
    Optional<MigrationStatus> st = migrations.cancel(request.getMigrationId(), request.getReason());
    if (st.isEmpty()) {
      out.onError(Status.NOT_FOUND.withDescription("migration " + request.getMigrationId()
          + " is unknown on host " + host).asRuntimeException());
      return;
    }
    out.onNext(CancelMigrationResponse.newBuilder().setStatus(st.get()).build());
    out.onCompleted();
  }

  /**
   * Power: standby needs an empty host (the scheduler evacuates it first); wake brings it back. Hosts managed by a
   * power driver (ipmi, wol) are switched by it; without one the agent records the state (sim hosts).
   */
  @Override
  public void setPowerState(SetPowerStateRequest request, StreamObserver<SetPowerStateResponse> out) {
    try {
      fence.admit(request.getMeta().getEpoch(), "set power state");
    } catch (StatusRuntimeException e) {
      out.onError(e);
      return;
    }
    InventorySource source = inventory.get();
    if (request.getTarget() == PowerState.POWER_STANDBY && source != null && !source.vms().isEmpty()) {
      out.onError(Status.FAILED_PRECONDITION.withDescription("host " + host + " still runs " + source.vms().size()
          + " VMs: evacuate it before standby").asRuntimeException());
      return;
    }
    PowerState previous = power.getAndSet(request.getTarget());
    if (previous != request.getTarget()) {
      log.info("host {} power {} -> {} (epoch {}: {})", host, previous, request.getTarget(),
          request.getMeta().getEpoch(), request.getReason());
    }
    out.onNext(SetPowerStateResponse.newBuilder().setPower(request.getTarget()).build());
    out.onCompleted();
  }

  @Override
  public void setHostMode(SetHostModeRequest request, StreamObserver<SetHostModeResponse> out) {
    try {
      fence.admit(request.getMeta().getEpoch(), "set host mode");
    } catch (StatusRuntimeException e) {
      out.onError(e);
      return;
    }
    HostMode previous = mode.getAndSet(request.getMode());
    if (previous != request.getMode()) {
      log.info("host {} mode {} -> {} (epoch {}: {})", host, previous, request.getMode(),
          request.getMeta().getEpoch(), request.getReason());
    }
    out.onNext(SetHostModeResponse.newBuilder().setMode(request.getMode()).build());
    out.onCompleted();
  }

  @Override
  public void startVm(StartVmRequest request, StreamObserver<StartVmResponse> out) {
    try {
      fence.admit(request.getMeta().getEpoch(), "start VM " + request.getSpec().getName());
      if (power.get() != PowerState.POWER_ON) {
        throw Status.FAILED_PRECONDITION.withDescription("host " + host + " is " + power.get()
            + ": it starts no VMs until it is powered on").asRuntimeException();
      }
      out.onNext(lifecycle().start(request.getSpec()));
      out.onCompleted();
    } catch (StatusRuntimeException e) {
      out.onError(e);
    }
  }

  @Override
  public void stopVm(StopVmRequest request, StreamObserver<StopVmResponse> out) {
    try {
      fence.admit(request.getMeta().getEpoch(), "stop VM " + request.getVm());
      out.onNext(lifecycle().stop(request.getMeta().getRequestId(), request.getVm(), request.getForce()));
      out.onCompleted();
    } catch (StatusRuntimeException e) {
      out.onError(e);
    }
  }

  private VmLifecycle lifecycle() {
    VmLifecycle l = vms;
    if (l == null) {
      throw Status.FAILED_PRECONDITION.withDescription("host " + host + " has no hypervisor driver that starts VMs"
          + " in this agent").asRuntimeException();
    }
    return l;
  }
}
