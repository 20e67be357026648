package io.ferry.hostagent.migration.kit;

import io.ferry.common.grpc.GrpcServers;
import io.ferry.common.tickets.TicketKeys;
import io.ferry.common.tickets.TicketSigner;
import io.ferry.common.tickets.TicketVerifier;
import io.ferry.common.tls.CertificateAuthority;
import io.ferry.common.tls.TlsMaterial;
import io.ferry.hostagent.hypervisor.VirtualMachine;
import io.ferry.hostagent.hypervisor.VmEvent;
import io.ferry.hostagent.hypervisor.VmEventLog;
import io.ferry.hostagent.migration.MigrationEngine;
import io.ferry.hostagent.migration.MigrationOutcome;
import io.ferry.hostagent.migration.MigrationSettings;
import io.ferry.hostagent.hypervisor.Hypervisor;
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

/**
 * Test kit (used by tests, benchmarks and the two-process test): two agents, "src" and "dst", each with a sim
 * hypervisor, a migration engine and a gRPC server on loopback with mTLS certificates from a fresh CA, plus the
 * leader's ticket signer.
 */
public final class LoopbackAgents implements AutoCloseable {
  public final KeyPair ticketKeys = TicketKeys.generate();
  public final TicketSigner signer = new TicketSigner(ticketKeys.getPrivate(), ticketKeys.getPublic(), Clock.systemUTC());
  public final Host src;
  public final Host dst;
  private final Path dir;
  private final boolean plainText;

  private final Driver driver;

  /** Builds one host's hypervisor driver. */
  @FunctionalInterface
  public interface Driver {
    /**
     * @param certificates the host's certificate directory (ca.crt, node.crt, node.key)
     */
    Hypervisor create(String host, Path stateDir, VmEventLog events, Path certificates);
  }

  /** The {@code sim} driver. */
  public static final Driver SIM = (host, stateDir, events, certs) -> SimHypervisor.create(host, stateDir, events);

  /** The {@code sim} driver with guest RAM from the host's reserved huge pages ({@code --sim-hugepages}). */
  public static final Driver SIM_ON_RESERVED_HUGE_PAGES = (host, stateDir, events, certs) ->
      SimHypervisor.create(host, stateDir, events).reservedHugePages();

  public LoopbackAgents(Path dir, MigrationSettings srcSettings, MigrationSettings dstSettings) {
    this(dir, SIM, srcSettings, dstSettings, false);
  }

  public LoopbackAgents(Path dir, Driver driver, MigrationSettings srcSettings, MigrationSettings dstSettings) {
    this(dir, driver, srcSettings, dstSettings, false);
  }

  /**
   * @param plainText agents without TLS, as with {@code --insecure} (benchmarks measure what mTLS costs); mTLS
   *     otherwise
   */
  public LoopbackAgents(Path dir, MigrationSettings srcSettings, MigrationSettings dstSettings, boolean plainText) {
    this(dir, SIM, srcSettings, dstSettings, plainText);
  }

  /** Agents with {@code driver}, in plain text when {@code plainText}. */
  public LoopbackAgents(Path dir, Driver driver, MigrationSettings srcSettings, MigrationSettings dstSettings,
                        boolean plainText) {
    this.dir = dir;
    this.driver = driver;
    this.plainText = plainText;
    CertificateAuthority ca = CertificateAuthority.create("test", Duration.ofDays(1));
    ca.issue("src", List.of("localhost", "127.0.0.1"), Duration.ofDays(1), dir.resolve("certs-src"), "node");
    ca.issue("dst", List.of("localhost", "127.0.0.1"), Duration.ofDays(1), dir.resolve("certs-dst"), "node");
    this.src = new Host("src", srcSettings);
    this.dst = new Host("dst", dstSettings);
  }

  public LoopbackAgents(Path dir) {
    this(dir, MigrationSettings.defaults(), MigrationSettings.defaults());
  }

  /** One agent: hypervisor driver, engine, gRPC server. */
  public final class Host implements AutoCloseable {
    public final String name;
    public final VmEventLog events = VmEventLog.inMemory();
    public final Hypervisor hypervisor;
    public final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    public final MigrationEngine engine;
    public final TlsMaterial tls;
    public final Server server;
    public final String endpoint;

    Host(String name, MigrationSettings settings) {
      this.name = name;
      this.tls = plainText ? TlsMaterial.insecurePlainText() : TlsMaterial.fromDirectory(dir.resolve("certs-" + name));
      this.hypervisor = driver.create(name, dir.resolve("state-" + name), events, dir.resolve("certs-" + name));
      AtomicReference<String> self = new AtomicReference<>();
      this.engine = new MigrationEngine(name, self::get, hypervisor, tls,
          new TicketVerifier(ticketKeys.getPublic(), name, Clock.systemUTC()), meters, Clock.systemUTC(), settings);
      // HostAgent too, as on a real agent's port: a source settling an interrupted switchover asks the destination
      // for its inventory
      io.ferry.hostagent.agent.HostAgentService hostAgent = new io.ferry.hostagent.agent.HostAgentService(name,
          new io.ferry.hostagent.agent.EpochFence());
      hostAgent.ready(new io.ferry.hostagent.agent.InventorySource() {
        @Override
        public io.ferry.v1.HostFacts facts() {
          return io.ferry.v1.HostFacts.newBuilder().setName(name).setHypervisor("sim").build();
        }

        @Override
        public io.ferry.v1.HostSignals sampleSignals() {
          return io.ferry.v1.HostSignals.getDefaultInstance();
        }

        @Override
        public List<io.ferry.v1.VmUsage> vms() {
          return hypervisor.list();
        }
      });
      this.server = GrpcServers.start("agent-" + name, "127.0.0.1", 0, tls, List.of(engine.peerService(),
          hostAgent));
      this.endpoint = "localhost:" + server.getPort();
      self.set(endpoint);
    }

    public VirtualMachine vm(String vm) {
      return hypervisor.find(vm).orElseThrow();
    }

    public boolean has(String vm) {
      return hypervisor.find(vm).isPresent();
    }

    @Override
    public void close() {
      engine.close();
      GrpcServers.shutdown(server);
      hypervisor.close();
    }
  }

  public static VmSpec spec(String name, long memoryMiB, double dirtyMiBPerSecond, String pattern) {
    return VmSpec.newBuilder().setName(name).setVcpus(1).setMemoryBytes(memoryMiB << 20)
        .setSim(SimWorkload.newBuilder().setDirtyRateBytesPerSecond(dirtyMiBPerSecond * (1 << 20))
            .setPattern(pattern).setHotSetRatio(0.25).setCpuDemandCores(0.5)
            .setMemoryTouchedBytes((memoryMiB << 20) / 2))
        .build();
  }

  public static VmSpec withDisk(VmSpec spec, long diskMiB, double writeMiBPerSecond) {
    return spec.toBuilder().addDisks(DiskSpec.newBuilder().setFormat("raw").setSizeBytes(diskMiB << 20))
        .setSim(spec.getSim().toBuilder().setDiskWriteBytesPerSecond(writeMiBPerSecond * (1 << 20))).build();
  }

  /** Defines and starts {@code spec} on the source. */
  public VirtualMachine startOnSource(VmSpec spec) {
    VirtualMachine vm = src.hypervisor.define(spec);
    vm.start();
    return vm;
  }

  /** A src -> dst request with a fresh ticket. */
  public MigrateVmRequest request(String vm, MigrationStrategy strategy, MigrationLimits limits) {
    return request(src, dst, vm, strategy, limits);
  }

  /** A request from {@code from} to {@code to} with a fresh ticket signed by the kit's leader key. */
  public MigrateVmRequest request(Host from, Host to, String vm, MigrationStrategy strategy, MigrationLimits limits) {
    return request(from.name, to.name, to.endpoint, vm, strategy, limits);
  }

  /** A request between any two agents (also ones in other processes) with a fresh ticket. */
  public MigrateVmRequest request(String from, String to, String toEndpoint, String vm, MigrationStrategy strategy,
                                  MigrationLimits limits) {
    String id = "m-" + UUID.randomUUID();
    return MigrateVmRequest.newBuilder().setMigrationId(id).setVm(vm).setDestinationHost(to)
        .setDestinationEndpoint(toEndpoint).setStrategy(strategy).setLimits(limits)
        .setTicket(signer.issue(id, vm, from, to, 1, Duration.ofMinutes(5))).build();
  }

  /** Where the CA-signed certificates of {@code host} ("src" or "dst") are, for agents in other processes. */
  public Path certificates(String host) {
    return dir.resolve("certs-" + host);
  }

  /** Writes the leader's ticket keys into {@code keysDir} and returns the public key file agents verify with. */
  public Path writeTicketKeys(Path keysDir) {
    io.ferry.common.tickets.TicketKeys.write(ticketKeys, keysDir);
    return keysDir.resolve(io.ferry.common.tickets.TicketKeys.PUBLIC_KEY_FILE);
  }

  public static MigrationLimits.Builder limits() {
    return MigrationLimits.newBuilder().setMaxDowntime(com.google.protobuf.Duration.newBuilder().setNanos(300_000_000))
        .setStreams(2).setMaxRounds(30).setTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(60));
  }

  /** Runs a src -> dst migration to its end (at most 90 s). */
  public MigrationOutcome migrate(MigrateVmRequest request) throws Exception {
    return migrate(src, request, Duration.ofSeconds(90));
  }

  /** Starts {@code request} on {@code from} and waits for its outcome. */
  public MigrationOutcome migrate(Host from, MigrateVmRequest request, Duration timeout) throws Exception {
    from.engine.start(request);
    return from.engine.outcome(request.getMigrationId()).orElseThrow()
        .get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /** Empty when the VM never ran on both hosts at once. */
  public String overlap() {
    List<VmEvent> all = new ArrayList<>(src.events.events());
    all.addAll(dst.events.events());
    return VmEventLog.findOverlap(all);
  }

  @Override
  public void close() {
    src.close();
    dst.close();
  }

}
