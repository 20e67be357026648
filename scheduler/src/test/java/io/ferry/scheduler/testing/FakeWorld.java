package io.ferry.scheduler.testing;

import com.google.protobuf.Timestamp;
import io.ferry.hostagent.agent.InventorySource;
import io.ferry.hostagent.agent.MigrationDriver;
import io.ferry.v1.CpuSignal;
import io.ferry.v1.HostFacts;
import io.ferry.v1.HostSignals;
import io.ferry.v1.MemorySignal;
import io.ferry.v1.MigrateVmRequest;
import io.ferry.v1.MigrationPhase;
import io.ferry.v1.MigrationStatus;
import io.ferry.v1.SignalStatus;
import io.ferry.v1.VmState;
import io.ferry.v1.VmUsage;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test kit for the scheduler: VMs that live in a shared map instead of a hypervisor, and a migration driver that
 * walks the phases in a few steps and moves the VM at the commit point. It records the highest number of
 * migrations each host took part in at once, so tests can check the executor's limits.
 */
public final class FakeWorld implements AutoCloseable {
  public static final long HOST_MEMORY = 64L << 30;
  private final Map<String, String> hostOfVm = new ConcurrentHashMap<>();
  private final Map<String, Long> vmMemory = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> active = new ConcurrentHashMap<>();
  private final Map<String, Integer> peak = new ConcurrentHashMap<>();
  private final Map<String, MigrationStatus> migrations = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);
  private final Map<String, Double> temperature = new ConcurrentHashMap<>();
  private volatile long stepMillis = 100;
  private volatile boolean stall;
  private final Set<String> unreachable = ConcurrentHashMap.newKeySet();
  private final Map<String, AtomicInteger> refused = new ConcurrentHashMap<>();

  public void addVm(String name, String host, long memoryBytes) {
    hostOfVm.put(name, host);
    vmMemory.put(name, memoryBytes);
  }

  public void temperature(String host, double celsius) {
    temperature.put(host, celsius);
  }

  public Optional<String> hostOf(String vm) {
    return Optional.ofNullable(hostOfVm.get(vm));
  }

  public int peakConcurrency(String host) {
    return peak.getOrDefault(host, 0);
  }

  public void stepMillis(long ms) {
    this.stepMillis = ms;
  }

  /** Migrations stop making progress (remaining bytes stay put) until cancelled. */
  public void stall(boolean stall) {
    this.stall = stall;
  }

  /** The host's agent answers every MigrateVm with UNAVAILABLE, as a call that never reached it would fail. */
  public void unreachable(String host, boolean on) {
    if (on) {
      unreachable.add(host);
    } else {
      unreachable.remove(host);
    }
  }

  /** MigrateVm calls the host refused while {@link #unreachable}: once counted, the call's outcome is settled. */
  public int refusedCalls(String host) {
    AtomicInteger n = refused.get(host);
    return n == null ? 0 : n.get();
  }

  public InventorySource inventory(HostFacts facts) {
    return new InventorySource() {
      @Override
      public HostFacts facts() {
        return facts.toBuilder().setMemoryBytes(HOST_MEMORY).setCpuCores(16).build();
      }

      @Override
      public HostSignals sampleSignals() {
        long used = vms().stream().mapToLong(VmUsage::getMemoryBytes).sum();
        SignalStatus ok = SignalStatus.newBuilder().setAvailable(true).build();
        return HostSignals.newBuilder()
            .setCpu(CpuSignal.newBuilder().setStatus(ok).setCores(16).setUtilizationRatio(0.1 * vms().size() / 4))
            .setMemory(MemorySignal.newBuilder().setStatus(ok).setTotalBytes(HOST_MEMORY).setUsedBytes(used)
                .setAvailableBytes(HOST_MEMORY - used))
            .setTemperature(io.ferry.v1.TemperatureSignal.newBuilder().setStatus(ok)
                .setHeadlineCelsius(temperature.getOrDefault(facts.getName(), 50.0)))
            .build();
      }

      @Override
      public List<VmUsage> vms() {
        List<VmUsage> out = new ArrayList<>();
        hostOfVm.forEach((vm, host) -> {
          if (host.equals(facts.getName())) {
            out.add(VmUsage.newBuilder().setName(vm).setState(VmState.VM_RUNNING).setVcpus(2)
                .setMemoryBytes(vmMemory.get(vm)).setCpuUsageCores(0.5).build());
          }
        });
        out.sort((a, b) -> a.getName().compareTo(b.getName()));
        return out;
      }
    };
  }

  public MigrationDriver driver(String host) {
    return new MigrationDriver() {
      @Override
      public MigrationStatus start(MigrateVmRequest r) {
        if (unreachable.contains(host)) {
          refused.computeIfAbsent(host, h -> new AtomicInteger()).incrementAndGet();
          throw Status.UNAVAILABLE.withDescription(host + " unreachable").asRuntimeException();
        }
        MigrationStatus known = migrations.get(r.getMigrationId());
        if (known != null) {
          return known;
        }
        if (!host.equals(hostOfVm.get(r.getVm()))) {
          throw Status.FAILED_PRECONDITION.withDescription("VM " + r.getVm() + " does not run on " + host)
              .asRuntimeException();
        }
        long total = vmMemory.get(r.getVm());
        MigrationStatus st = MigrationStatus.newBuilder().setMigrationId(r.getMigrationId()).setVm(r.getVm())
            .setSourceHost(host).setDestinationHost(r.getDestinationHost()).setPhase(MigrationPhase.PREPARED)
            .setStrategy(r.getStrategy()).setTotalBytes(total).setRemainingBytes(total).build();
        migrations.put(r.getMigrationId(), st);
        enter(host);
        enter(r.getDestinationHost());
        timer.schedule(() -> step(r.getMigrationId()), stepMillis, TimeUnit.MILLISECONDS);
        return st;
      }

      @Override
      public Optional<MigrationStatus> status(String id) {
        return Optional.ofNullable(migrations.get(id));
      }

      @Override
      public Optional<MigrationStatus> cancel(String id, String reason) {
        MigrationStatus st = migrations.get(id);
        if (st == null) {
          return Optional.empty();
        }
        if (st.getPhase() != MigrationPhase.COMMITTED && st.getPhase() != MigrationPhase.ROLLED_BACK) {
          st = st.toBuilder().setPhase(MigrationPhase.ROLLED_BACK).setMessage("cancelled: " + reason).build();
          migrations.put(id, st);
          leave(st);
        }
        return Optional.of(st);
      }

      @Override
      public List<MigrationStatus> list() {
        return migrations.values().stream().filter(m -> m.getSourceHost().equals(host)).toList();
      }
    };
  }

  private void step(String id) {
    MigrationStatus st = migrations.get(id);
    if (st == null || st.getPhase() == MigrationPhase.ROLLED_BACK) {
      return;
    }
    MigrationStatus next;
    if (stall) {
      next = st.toBuilder().setPhase(MigrationPhase.TRANSFERRING).build();
    } else if (st.getRemainingBytes() > st.getTotalBytes() / 4) {
      next = st.toBuilder().setPhase(MigrationPhase.TRANSFERRING)
          .setRemainingBytes(st.getRemainingBytes() - st.getTotalBytes() / 4).build();
    } else {
      hostOfVm.put(st.getVm(), st.getDestinationHost());
      next = st.toBuilder().setPhase(MigrationPhase.COMMITTED).setRemainingBytes(0).setMessage("committed")
          .setUpdatedAt(Timestamp.getDefaultInstance()).build();
      migrations.put(id, next);
      leave(next);
      return;
    }
    migrations.put(id, next);
    timer.schedule(() -> step(id), stepMillis, TimeUnit.MILLISECONDS);
  }

  private synchronized void enter(String host) {
    int now = active.computeIfAbsent(host, h -> new AtomicInteger()).incrementAndGet();
    peak.merge(host, now, Math::max);
  }

  private synchronized void leave(MigrationStatus st) {
    active.get(st.getSourceHost()).decrementAndGet();
    active.get(st.getDestinationHost()).decrementAndGet();
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
