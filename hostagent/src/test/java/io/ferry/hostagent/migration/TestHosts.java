package io.ferry.hostagent.migration;

import io.ferry.common.grpc.GrpcServers;
import io.ferry.common.tickets.TicketKeys;
import io.ferry.common.tickets.TicketSigner;
import io.ferry.common.tickets.TicketVerifier;
import io.ferry.common.tls.CertificateAuthority;
import io.ferry.common.tls.TlsMaterial;
import io.ferry.hostagent.hypervisor.VirtualMachine;
import io.ferry.hostagent.hypervisor.VmEvent;
import io.ferry.hostagent.hypervisor.VmEventLog;
import io.ferry.hostagent.sim.SimHypervisor;
import io.ferry.v1.DiskSpec;
import io.ferry.v1.MigrateVmRequest;
import io.ferry.v1.MigrationLimits;
import io.ferry.v1.MigrationStrategy;
import io.ferry.v1.SimWorkload;
import io.ferry.v1.VmSpec;
import io.grpc.Server;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

/** Two agents ("src", "dst") with sim hypervisors and migration engines on loopback gRPC with mTLS. */
final class TestHosts implements AutoCloseable {
  final KeyPair ticketKeys = TicketKeys.generate();
  final TicketSigner signer = new TicketSigner(ticketKeys.getPrivate(), ticketKeys.getPublic(), Clock.systemUTC());
  final Host src;
  final Host dst;
  private final Path dir;

  TestHosts(Path dir, MigrationSettings srcSettings, MigrationSettings dstSettings) {
    this.dir = dir;
    CertificateAuthority ca = CertificateAuthority.create("test", Duration.ofDays(1));
    ca.issue("src", List.of("localhost", "127.0.0.1"), Duration.ofDays(1), dir.resolve("certs-src"), "node");
    ca.issue("dst", List.of("localhost", "127.0.0.1"), Duration.ofDays(1), dir.resolve("certs-dst"), "node");
    this.src = new Host("src", srcSettings);
    this.dst = new Host("dst", dstSettings);
  }

  TestHosts(Path dir) {
    this(dir, MigrationSettings.defaults(), MigrationSettings.defaults());
  }

  /** One agent: sim hypervisor, engine, gRPC server. */
  final class Host implements AutoCloseable {
    final String name;
    final VmEventLog events = VmEventLog.inMemory();
    final SimHypervisor hypervisor;
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final MigrationEngine engine;
    final TlsMaterial tls;
    final Server server;
    final String endpoint;

    Host(String name, MigrationSettings settings) {
      this.name = name;
      this.tls = TlsMaterial.fromDirectory(dir.resolve("certs-" + name));
      this.hypervisor = SimHypervisor.create(name, dir.resolve("state-" + name), events);
      AtomicReference<String> self = new AtomicReference<>();
      this.engine = new MigrationEngine(name, self::get, hypervisor, tls,
          new TicketVerifier(ticketKeys.getPublic(), name, Clock.systemUTC()), meters, Clock.systemUTC(), settings);
      this.server = GrpcServers.start("agent-" + name, "127.0.0.1", 0, tls, List.of(engine.peerService()));
      this.endpoint = "localhost:" + server.getPort();
      self.set(endpoint);
    }

    VirtualMachine vm(String vm) {
      return hypervisor.find(vm).orElseThrow();
    }

    boolean has(String vm) {
      return hypervisor.find(vm).isPresent();
    }

    @Override
    public void close() {
      engine.close();
      GrpcServers.shutdown(server);
      hypervisor.close();
    }
  }

  static VmSpec spec(String name, long memoryMiB, double dirtyMiBPerSecond, String pattern) {
    return VmSpec.newBuilder().setName(name).setVcpus(1).setMemoryBytes(memoryMiB << 20)
        .setSim(SimWorkload.newBuilder().setDirtyRateBytesPerSecond(dirtyMiBPerSecond * (1 << 20))
            .setPattern(pattern).setHotSetRatio(0.25).setCpuDemandCores(0.5)
            .setMemoryTouchedBytes((memoryMiB << 20) / 2))
        .build();
  }

  static VmSpec withDisk(VmSpec spec, long diskMiB, double writeMiBPerSecond) {
    return spec.toBuilder().addDisks(DiskSpec.newBuilder().setFormat("raw").setSizeBytes(diskMiB << 20))
        .setSim(spec.getSim().toBuilder().setDiskWriteBytesPerSecond(writeMiBPerSecond * (1 << 20))).build();
  }

  /** Defines and starts {@code spec} on the source. */
  VirtualMachine startOnSource(VmSpec spec) {
    VirtualMachine vm = src.hypervisor.define(spec);
    vm.start();
    return vm;
  }

  MigrateVmRequest request(String vm, MigrationStrategy strategy, MigrationLimits limits) {
    String id = "m-" + UUID.randomUUID();
    return MigrateVmRequest.newBuilder().setMigrationId(id).setVm(vm).setDestinationHost("dst")
        .setDestinationEndpoint(dst.endpoint).setStrategy(strategy).setLimits(limits)
        .setTicket(signer.issue(id, vm, "src", "dst", 1, Duration.ofMinutes(5))).build();
  }

  static MigrationLimits.Builder limits() {
    return MigrationLimits.newBuilder().setMaxDowntime(com.google.protobuf.Duration.newBuilder().setNanos(300_000_000))
        .setStreams(2).setMaxRounds(30).setTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(60));
  }

  MigrationOutcome migrate(MigrateVmRequest request) throws Exception {
    src.engine.start(request);
    return src.engine.outcome(request.getMigrationId()).orElseThrow().get(90, java.util.concurrent.TimeUnit.SECONDS);
  }

  /** Empty when the VM never ran on both hosts at once. */
  String overlap() {
    List<VmEvent> all = new ArrayList<>(src.events.events());
    all.addAll(dst.events.events());
    return VmEventLog.findOverlap(all);
  }

  @Override
  public void close() {
    src.close();
    dst.close();
  }

  /** Waits (polling, test only) until the guest counter reaches {@code atLeast}. */
  static void awaitProgress(VirtualMachine vm, long atLeast) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (vm.progressCounter() < atLeast) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("VM " + vm.name() + " made no progress: counter " + vm.progressCounter());
      }
      Thread.onSpinWait();
      Thread.sleep(5);
    }
  }
}
