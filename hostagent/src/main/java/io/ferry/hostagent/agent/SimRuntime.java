package io.ferry.hostagent.agent;

import io.ferry.common.tls.TlsMaterial;
import io.ferry.hostagent.hypervisor.VmEventLog;
import io.ferry.hostagent.migration.DataChannelOptions;
import io.ferry.hostagent.migration.MigrationEngine;
import io.ferry.hostagent.migration.MigrationSettings;
import io.ferry.hostagent.signals.sim.HostModifiers;
import io.ferry.hostagent.signals.sim.ScenarioPlayer;
import io.ferry.hostagent.signals.sim.SimHost;
import io.ferry.hostagent.sim.SimHypervisor;
import io.ferry.v1.HostFacts;
import io.ferry.v1.HostSignals;
import io.ferry.v1.VmSpec;
import io.ferry.v1.VmUsage;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;

/**
 * Everything a simulated host needs inside its agent: the sim hypervisor (real off-heap guest memory and vCPU
 * threads), the migration engine, and simulated host signals (thermal model, SMART counters, scenario events).
 */
public final class SimRuntime implements AutoCloseable {

  private final SimHypervisor hypervisor;
  private final MigrationEngine engine;
  private final SimHost host;
  private final ScenarioPlayer scenario;
  private final String name;

  /**
   * @param durableVms VMs keep their RAM and run state in {@code stateDir} and outlive this process; the VMs a
   *                   previous process left there are adopted before anything else starts
   * @param ticketKeys directory with ticket-signing.pub (from 'ferry certs init'); without it incoming migrations
   *                   are refused, since no ticket can be verified
   * @param scenario   events to play on this host's signals, or null
   * @param tick       time between two guest steps of the sim vCPUs (shorter: finer downtime, more CPU)
   * @param data       where incoming transfer streams arrive (the engine's data channel)
   */
  public SimRuntime(String name, SimHost.Spec spec, Path stateDir, boolean durableVms, Path ticketKeys,
                    TlsMaterial tls, Supplier<String> endpoint, MeterRegistry registry, Clock clock,
                    ScenarioPlayer scenario, java.time.Duration tick, DataChannelOptions data) {
    this.name = name;
    this.hypervisor = new SimHypervisor(name, stateDir, clock, System::nanoTime,
        VmEventLog.appendingTo(stateDir.resolve("vm-events.log")), tick);
    if (durableVms) {
      hypervisor.durable().adopt();
    }
    this.engine = new MigrationEngine(name, endpoint, hypervisor, tls,
        AgentTickets.verifier(name, ticketKeys, clock), registry, clock,
        MigrationSettings.defaults().withDataChannel(data), durableVms ? stateDir.resolve("migrations") : null);
    this.host = new SimHost(spec, clock);
    this.scenario = scenario;
    this.gauges = new io.ferry.hostagent.signals.HostSignalsGauges(registry);
    this.registry = registry;
  }

  private final io.ferry.hostagent.signals.HostSignalsGauges gauges;
  private final MeterRegistry registry;
  private double lastSentBytes;
  private long lastSentAtNanos;

  /**
   * Sim hosts have no network of their own; they report one interface, {@code migration}, carrying the bytes their
   * migration engine sent (so dashboards show migration traffic per host).
   */
  private io.ferry.v1.NetworkSignal migrationTraffic() {
    double sent = registry.find("ferry_migration_bytes_total").counters().stream()
        .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
    long now = System.nanoTime();
    double rate = lastSentAtNanos == 0 ? 0 : (sent - lastSentBytes) / ((now - lastSentAtNanos) / 1e9);
    lastSentBytes = sent;
    lastSentAtNanos = now;
    return io.ferry.v1.NetworkSignal.newBuilder()
        .setStatus(io.ferry.v1.SignalStatus.newBuilder().setAvailable(true))
        .addInterfaces(io.ferry.v1.NetworkInterface.newBuilder().setName("migration")
            .setTxBytesPerSecond(Math.max(0, rate)))
        .build();
  }

  public io.grpc.BindableService peerService() {
    return engine.peerService();
  }

  /** Starts the migration data channel's listener: where sources send this host's incoming transfer streams. */
  public java.util.Optional<String> startDataChannel() {
    return engine.startDataChannel();
  }

  /** Starts a VM on this host (used by 'ferry up' and 'ferry vm start'). */
  public VmUsage start(VmSpec spec) {
    var vm = hypervisor.define(spec);
    vm.start();
    return vm.usage();
  }

  public InventorySource inventory(HostFacts agentFacts) {
    HostFacts facts = host.facts().toBuilder().mergeFrom(agentFacts).setCpuCores(host.facts().getCpuCores())
        .setMemoryBytes(host.facts().getMemoryBytes()).setHypervisor("sim").setAccelerator("sim").build();
    return new InventorySource() {
      @Override
      public HostFacts facts() {
        return facts;
      }

      @Override
      public HostSignals sampleSignals() {
        List<VmUsage> vms = hypervisor.list();
        double cpu = vms.stream().mapToDouble(VmUsage::getCpuUsageCores).sum();
        long mem = vms.stream().mapToLong(VmUsage::getMemoryBytes).sum();
        HostModifiers m = scenario == null ? HostModifiers.NONE : scenario.modifiers(name);
        HostSignals signals = host.sample(cpu, mem, m).toBuilder().setNetwork(migrationTraffic()).build();
        gauges.update(signals);
        return signals;
      }

      @Override
      public List<VmUsage> vms() {
        // The scenario's load curve scales what the VMs demand, as the host's signals see it.
        double load = scenario == null ? 1.0 : scenario.modifiers(name).loadMultiplier();
        if (load == 1.0) {
          return hypervisor.list();
        }
        return hypervisor.list().stream()
            .map(v -> v.toBuilder().setCpuUsageCores(v.getCpuUsageCores() * load).build()).toList();
      }
    };
  }

  public MigrationDriver migrations() {
    return MigrationDriver.of(engine);
  }

  public SimHypervisor hypervisor() {
    return hypervisor;
  }

  @Override
  public void close() {
    engine.close();
    hypervisor.close();
  }
}
