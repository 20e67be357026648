package io.ferry.hostagent.agent;

import com.google.protobuf.Descriptors.FieldDescriptor;
import io.ferry.hostagent.hypervisor.Hypervisor;
import io.ferry.hostagent.hypervisor.VirtualMachine;
import io.ferry.v1.MigrationPhase;
import io.ferry.v1.MigrationStatus;
import io.ferry.v1.StartVmResponse;
import io.ferry.v1.StopVmResponse;
import io.ferry.v1.VmSpec;
import io.ferry.v1.VmState;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code HostAgent.StartVm} and {@code StopVm} on this host's hypervisor driver (any driver of the SPI). Starting
 * is idempotent by name and spec; a VM taking part in a migration is never stopped here (the scheduler cancels the
 * migration first, so the migration engine never loses a VM under its feet). Every change is reported to the
 * leader at once. Refusals are gRPC statuses whose description names what is wrong.
 */
public final class VmLifecycle {
  private static final Logger log = LoggerFactory.getLogger(VmLifecycle.class);
  /** How long a graceful stop waits for the guest before destroying it. */
  public static final Duration GRACEFUL_STOP = Duration.ofSeconds(20);
  private static final int REMEMBERED_STOPS = 256;
  private static final Set<MigrationPhase> FINAL = Set.of(MigrationPhase.COMMITTED, MigrationPhase.ROLLED_BACK,
      MigrationPhase.FAILED);

  private final String host;
  private final Hypervisor hypervisor;
  private final Supplier<List<MigrationStatus>> migrations;
  private final Runnable changed;
  /** One lock per VM name: a slow graceful stop never holds up the start of another VM. */
  private final Map<String, Object> locks = new ConcurrentHashMap<>();
  private final Map<String, String> stoppedByRequest = new LinkedHashMap<>() {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
      return size() > REMEMBERED_STOPS;
    }
  };

  /**
   * @param migrations every migration this agent takes part in (a VM in one of them is not stopped)
   * @param changed    called after a VM started or stopped (sends a report to the leader at once)
   */
  public VmLifecycle(String host, Hypervisor hypervisor, Supplier<List<MigrationStatus>> migrations,
                     Runnable changed) {
    this.host = host;
    this.hypervisor = hypervisor;
    this.migrations = migrations;
    this.changed = changed;
  }

  /** Defines and starts the VM, or answers with the one already running under that name with the same spec. */
  public StartVmResponse start(VmSpec spec) {
    if (spec.getName().isBlank()) {
      throw invalid("the VM spec has no name");
    }
    if (spec.getMemoryBytes() <= 0) {
      throw invalid("VM " + spec.getName() + ": memory_bytes must be positive, got " + spec.getMemoryBytes());
    }
    synchronized (lock(spec.getName())) {
      Optional<VirtualMachine> existing = hypervisor.find(spec.getName());
      if (existing.isPresent()) {
        return startExisting(existing.get(), spec);
      }
      VirtualMachine vm;
      try {
        vm = hypervisor.define(spec);
      } catch (IllegalArgumentException e) {
        throw invalid("VM " + spec.getName() + " cannot run on " + host + " (" + hypervisor.name() + " driver): "
            + e.getMessage());
      } catch (RuntimeException e) {
        throw failed("cannot define VM " + spec.getName() + " on " + host + ": " + e.getMessage());
      }
      try {
        vm.start();
      } catch (RuntimeException e) {
        vm.destroy();
        throw failed("VM " + spec.getName() + " did not start on " + host + " (removed again): " + e.getMessage());
      }
      log.info("VM {} started on {} ({} vCPUs, {} MiB, {} driver)", spec.getName(), host, spec.getVcpus(),
          spec.getMemoryBytes() >> 20, hypervisor.name());
      changed.run();
      return StartVmResponse.newBuilder().setVm(vm.usage()).build();
    }
  }

  private StartVmResponse startExisting(VirtualMachine vm, VmSpec asked) {
    String name = asked.getName();
    if (vm.state() == VmState.VM_MIGRATING_IN) {
      throw Status.ALREADY_EXISTS.withDescription("VM " + name + " is arriving on " + host + " by migration"
          + migrationOf(name).map(m -> " " + m.getMigrationId()).orElse("")).asRuntimeException();
    }
    List<String> differences = differences(asked, vm.spec());
    if (!differences.isEmpty()) {
      throw Status.ALREADY_EXISTS.withDescription("VM " + name + " already exists on " + host + " with another spec"
          + " (differs in " + String.join(", ", differences) + "): stop it first or choose another name")
          .asRuntimeException();
    }
    if (vm.state() == VmState.VM_RUNNING) {
      return StartVmResponse.newBuilder().setVm(vm.usage()).setAlreadyRunning(true).build();
    }
    refuseWhileMigrating(name, "start");
    VmState before = vm.state();
    vm.start();
    log.info("VM {} on {} was {}; started it again", name, host, before);
    changed.run();
    return StartVmResponse.newBuilder().setVm(vm.usage()).build();
  }

  /**
   * Stops the VM ({@code force}: destroys it at once; otherwise asks the guest to shut down and destroys it after
   * {@link #GRACEFUL_STOP}) and removes it from this host.
   */
  public StopVmResponse stop(String requestId, String name, boolean force) {
    synchronized (lock(name)) {
      if (!requestId.isEmpty() && stoppedOnRequest(requestId)) {
        return StopVmResponse.newBuilder().setState(VmState.VM_STOPPED).build();
      }
      VirtualMachine vm = hypervisor.find(name).orElseThrow(() -> Status.NOT_FOUND
          .withDescription("VM " + name + " is not on host " + host).asRuntimeException());
      if (vm.state() == VmState.VM_MIGRATING_IN) {
        throw failed("VM " + name + " is arriving on " + host + " by migration"
            + migrationOf(name).map(m -> " " + m.getMigrationId()).orElse("") + " and does not run here yet:"
            + " cancel the migration instead");
      }
      refuseWhileMigrating(name, "stop");
      VmState before = vm.state();
      if (force) {
        vm.destroy();
      } else {
        vm.shutdown(GRACEFUL_STOP);
      }
      log.info("VM {} stopped on {} ({}; it was {})", name, host, force ? "destroyed at once" : "shut down",
          before.name().replace("VM_", "").toLowerCase(java.util.Locale.ROOT));
      if (!requestId.isEmpty()) {
        synchronized (stoppedByRequest) {
          stoppedByRequest.put(requestId, name);
        }
      }
      changed.run();
      return StopVmResponse.newBuilder().setState(VmState.VM_STOPPED).build();
    }
  }

  private boolean stoppedOnRequest(String requestId) {
    synchronized (stoppedByRequest) {
      return stoppedByRequest.containsKey(requestId);
    }
  }

  private void refuseWhileMigrating(String name, String action) {
    Optional<MigrationStatus> m = migrationOf(name);
    if (m.isPresent()) {
      throw failed("cannot " + action + " VM " + name + ": it is migrating (" + m.get().getMigrationId() + ", "
          + m.get().getSourceHost() + " -> " + m.get().getDestinationHost() + ", " + m.get().getPhase()
          + "): cancel the migration first");
    }
  }

  private Optional<MigrationStatus> migrationOf(String vm) {
    return migrations.get().stream().filter(m -> m.getVm().equals(vm) && !FINAL.contains(m.getPhase())).findFirst();
  }

  private Object lock(String name) {
    return locks.computeIfAbsent(name, k -> new Object());
  }

  /**
   * The spec fields in which {@code asked} differs from the running VM's spec. A disk size left at 0 means "as the
   * driver sized it", so it matches whatever size the driver chose.
   */
  static List<String> differences(VmSpec asked, VmSpec running) {
    VmSpec.Builder a = asked.toBuilder();
    for (int i = 0; i < a.getDisksCount() && i < running.getDisksCount(); i++) {
      if (a.getDisks(i).getSizeBytes() == 0) {
        a.setDisks(i, a.getDisks(i).toBuilder().setSizeBytes(running.getDisks(i).getSizeBytes()));
      }
    }
    VmSpec normalised = a.build();
    List<String> out = new ArrayList<>();
    for (FieldDescriptor f : VmSpec.getDescriptor().getFields()) {
      // Compared as one-field messages, so maps compare as maps (not in insertion order).
      if (!VmSpec.newBuilder().setField(f, normalised.getField(f)).build()
          .equals(VmSpec.newBuilder().setField(f, running.getField(f)).build())) {
        out.add(f.getName());
      }
    }
    return out;
  }

  private static StatusRuntimeException invalid(String why) {
    return Status.INVALID_ARGUMENT.withDescription(why).asRuntimeException();
  }

  private static StatusRuntimeException failed(String why) {
    return Status.FAILED_PRECONDITION.withDescription(why).asRuntimeException();
  }
}
