package io.ferry.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ferry.common.grpc.GrpcServers;
import io.ferry.common.testing.Await;
import io.ferry.common.testing.TestCerts;
import io.ferry.common.tickets.TicketKeys;
import io.ferry.common.tls.TlsMaterial;
import io.ferry.common.zk.EmbeddedZooKeeper;
import io.ferry.hostagent.agent.Agent;
import io.ferry.hostagent.agent.AgentConfig;
import io.ferry.hostagent.hypervisor.VmEvent;
import io.ferry.hostagent.hypervisor.VmEventLog;
import io.ferry.hostagent.qemu.spec.VmSpecFiles;
import io.ferry.hostagent.signals.sim.SimHost;
import io.ferry.hostagent.signals.sim.ThermalModel;
import io.ferry.v1.AdminGrpc;
import io.ferry.v1.AdminStartVmRequest;
import io.ferry.v1.AdminStartVmResponse;
import io.ferry.v1.AdminStopVmRequest;
import io.ferry.v1.AdminStopVmResponse;
import io.ferry.v1.ClusterStatus;
import io.ferry.v1.DrainRequest;
import io.ferry.v1.GetStatusRequest;
import io.ferry.v1.ListMigrationsRequest;
import io.ferry.v1.ListVmsRequest;
import io.ferry.v1.MigrateRequest;
import io.ferry.v1.MigrationLimits;
import io.ferry.v1.MigrationPhase;
import io.ferry.v1.MigrationRecord;
import io.ferry.v1.RequestMeta;
import io.ferry.v1.SimWorkload;
import io.ferry.v1.UndrainRequest;
import io.ferry.v1.VmSpec;
import io.ferry.v1.VmState;
import io.ferry.v1.VmSummary;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * StartVm / ListVms / StopVm through the leader's Admin API, carried out by real sim agents on a real ZooKeeper.
 * Host h1 reports only every 60 s, so a VM that shows up in the leader's list right after StartVm proves the agent
 * reported it at once; h2 is a small host (96 MiB) for the memory checks.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VmCommandsTest {
  private static final Duration SESSION = Duration.ofSeconds(4);
  @TempDir
  static Path tmp;
  private EmbeddedZooKeeper zk;
  private Scheduler scheduler;
  private final List<Agent> agents = new ArrayList<>();
  private ManagedChannel channel;
  private AdminGrpc.AdminBlockingStub admin;

  @BeforeAll
  void start() throws Exception {
    zk = EmbeddedZooKeeper.start("127.0.0.1", 0, tmp.resolve("zk"), 200);
    zkConnect = zk.connectString();
    Path certs = Files.createDirectories(tmp.resolve("certs"));
    TlsMaterial tls = TestCerts.create(certs, "test");
    TicketKeys.write(TicketKeys.generate(), certs);
    scheduler = new Scheduler(new SchedulerConfig("s1", zk.connectString(), "vms", "127.0.0.1", "127.0.0.1", 0, 0,
        tls, null, SESSION, Duration.ofMinutes(10), certs), Clock.systemUTC()).start();
    agents.add(agent("h1", SimHost.Spec.typical("h1"), Duration.ofSeconds(60), tls, certs));
    agents.add(agent("h2", new SimHost.Spec("h2", 4, 96L << 20, List.of("sda"), ThermalModel.Parameters.DEFAULT,
        120, 450), Duration.ofSeconds(1), tls, certs));
    agents.add(agent("h3", SimHost.Spec.typical("h3"), Duration.ofSeconds(1), tls, certs));
    Await.until("leader and 3 hosts", Duration.ofSeconds(60),
        () -> scheduler.isLeader() && agents.stream().allMatch(Agent::connectedToLeader));
    channel = GrpcServers.channel(scheduler.adminEndpoint(), tls);
    admin = AdminGrpc.newBlockingStub(channel);
    Await.until("hosts known", Duration.ofSeconds(60), () -> status().getHostsCount() == 3);
    Files.write(tmp.resolve("boot.img"), new byte[512]);
  }

  private static Agent agent(String name, SimHost.Spec spec, Duration reportInterval, TlsMaterial tls, Path certs) {
    return new Agent(new AgentConfig(name, zkConnect, "vms", "127.0.0.1", "127.0.0.1", 0, 0, tls, "sim", Map.of(),
        reportInterval, SESSION, tmp.resolve(name), certs), Clock.systemUTC())
        .withSim(spec, null, Duration.ofMillis(5)).start();
  }

  private static String zkConnect;

  @AfterAll
  void stop() {
    GrpcServers.shutdown(channel);
    agents.forEach(Agent::close);
    scheduler.close();
    zk.close();
  }

  // ---------------------------------------------------------------- helpers

  /** A spec as 'ferry vm start' reads it: the file format of docs/vm-spec.md, qemu-only fields included. */
  private static VmSpec spec(String name, int memoryMiB, String diskPath) {
    return VmSpecFiles.parse("""
        name: %s
        vcpus: 2
        memoryMiB: %d
        machine: q35
        accelerator: tcg
        disks:
          - path: %s
        labels: {team: web}
        """.formatted(name, memoryMiB, diskPath), name + ".yaml", tmp);
  }

  private static RequestMeta meta(String requestId) {
    return RequestMeta.newBuilder().setRequestId(requestId).setIssuer("cli:test").build();
  }

  private AdminStartVmResponse startVm(String host, VmSpec spec, boolean force) {
    return admin.withDeadlineAfter(60, TimeUnit.SECONDS).startVm(AdminStartVmRequest.newBuilder()
        .setMeta(meta("start-" + UUID.randomUUID())).setHost(host).setSpec(spec).setForce(force).build());
  }

  private AdminStopVmResponse stopVm(String vm, String requestId, boolean force) {
    return admin.withDeadlineAfter(120, TimeUnit.SECONDS).stopVm(AdminStopVmRequest.newBuilder()
        .setMeta(meta(requestId)).setVm(vm).setForce(force).build());
  }

  private List<VmSummary> vms(String host) {
    return admin.listVms(ListVmsRequest.newBuilder().setHost(host).build()).getVmsList();
  }

  private ClusterStatus status() {
    return admin.withDeadlineAfter(10, TimeUnit.SECONDS).getStatus(GetStatusRequest.getDefaultInstance());
  }

  private static StatusRuntimeException refusal(ThrowingCallable call) {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, call);
    assertThat(e).as("refused").isNotNull();
    return e;
  }

  private static List<VmEvent> events(String host, String vm) {
    Path log = tmp.resolve(host).resolve("vm-events.log");
    return Files.exists(log) ? VmEventLog.read(log).stream().filter(e -> e.vm().equals(vm)).toList() : List.of();
  }

  // ---------------------------------------------------------------- tests

  @Test
  @Order(1)
  void startedVmIsListedAtOnceAndStoppedVmIsGone() {
    AdminStartVmResponse started = startVm("h1", spec("web-1", 32, "boot.img"), false);

    assertThat(started.getAlreadyRunning()).isFalse();
    assertThat(started.getVm().getHost()).isEqualTo("h1");
    assertThat(started.getVm().getState()).isEqualTo(VmState.VM_RUNNING);
    assertThat(started.getVm().getVcpus()).isEqualTo(2);
    assertThat(started.getVm().getMemoryBytes()).isEqualTo(32L << 20);
    assertThat(vms("")).anyMatch(v -> v.getName().equals("web-1") && v.getHost().equals("h1")
        && v.getState() == VmState.VM_RUNNING && v.getLabelsMap().get("team").equals("web"));
    assertThat(vms("h2")).noneMatch(v -> v.getName().equals("web-1"));
    ClusterStatus st = status();
    assertThat(st.getVmsList()).anyMatch(v -> v.getName().equals("web-1") && v.getHost().equals("h1"));
    assertThat(st.getRecentDecisionsList()).anyMatch(d -> d.getKind().equals("vm") && d.getSubject().equals("web-1")
        && d.getReason().equals("start") && d.getExplanation().startsWith("started on h1 by cli:test"));

    AdminStartVmResponse again = startVm("h1", spec("web-1", 32, "boot.img"), false);
    assertThat(again.getAlreadyRunning()).isTrue();
    assertThat(again.getVm().getHost()).isEqualTo("h1");

    AdminStopVmResponse stopped = stopVm("web-1", "stop-web-1", false);
    assertThat(stopped.getHost()).isEqualTo("h1");
    assertThat(stopped.getState()).isEqualTo(VmState.VM_STOPPED);
    assertThat(stopped.getCancelledMigrationId()).isEmpty();
    assertThat(vms("")).noneMatch(v -> v.getName().equals("web-1"));
    assertThat(status().getVmsList()).noneMatch(v -> v.getName().equals("web-1"));

    // A retried request gets the first answer; a new request for the same VM learns it is gone.
    assertThat(stopVm("web-1", "stop-web-1", false)).isEqualTo(stopped);
    StatusRuntimeException gone = refusal(() -> stopVm("web-1", "stop-web-1-again", false));
    assertThat(gone.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(gone.getStatus().getDescription()).isEqualTo("VM web-1 is not running on any known host");

    // The agent's VM event log recorded the start and the stop (the start once: the repeat started nothing).
    assertThat(events("h1", "web-1")).extracting(VmEvent::kind)
        .containsExactly(VmEvent.Kind.RUNNING, VmEvent.Kind.STOPPED);
  }

  @Test
  @Order(2)
  void badStartsAreRefusedNamingWhatIsWrongAndChangeNothing() {
    StatusRuntimeException e = refusal(() -> startVm("h9", spec("web-2", 32, "boot.img"), false));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(e.getStatus().getDescription()).isEqualTo("host h9 is unknown (known: h1, h2, h3)");

    startVm("h1", spec("web-2", 32, "boot.img"), false);
    e = refusal(() -> startVm("h3", spec("web-2", 32, "boot.img"), false));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
    assertThat(e.getStatus().getDescription())
        .isEqualTo("VM web-2 already runs on h1: VM names are unique in the cluster");
    e = refusal(() -> startVm("h1", spec("web-2", 48, "boot.img"), false));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
    assertThat(e.getStatus().getDescription()).isEqualTo("VM web-2 already exists on h1 with another spec"
        + " (differs in memory_bytes): stop it first or choose another name");

    startVm("h2", spec("small-1", 32, "boot.img"), false);
    e = refusal(() -> startVm("h2", spec("small-2", 80, "boot.img"), false));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(e.getStatus().getDescription()).isEqualTo("not enough memory on host h2 for VM small-2: 80 MiB"
        + " needed, 64 MiB free (96 MiB total, 32 MiB promised to its 1 VMs)");

    e = refusal(() -> startVm("h1", spec("bad-1", 32, "/nonexistent/disk.qcow2"), false));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).startsWith("VM bad-1 cannot run on h1 (sim driver): disks[0]"
        + " (/nonexistent/disk.qcow2): the sim driver sizes its disk from sizeBytes");
    // The refused name is free again at once.
    assertThat(startVm("h1", spec("bad-1", 32, "boot.img"), false).getVm().getState())
        .isEqualTo(VmState.VM_RUNNING);

    e = refusal(() -> stopVm("nope", "stop-nope", false));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);

    assertThat(vms("")).extracting(VmSummary::getName).containsExactlyInAnyOrder("web-2", "small-1", "bad-1");
    for (String vm : List.of("web-2", "small-1", "bad-1")) {
      stopVm(vm, "cleanup-" + vm, true);
    }
    assertThat(vms("")).isEmpty();
  }

  @Test
  @Order(3)
  void hostInMaintenanceTakesNoVmUnlessForced() throws Exception {
    admin.drain(DrainRequest.newBuilder().setHost("h3").setMeta(meta("drain-h3")).build());
    try {
      StatusRuntimeException e = refusal(() -> startVm("h3", spec("maint-1", 32, "boot.img"), false));
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
      assertThat(e.getStatus().getDescription()).isEqualTo("host h3 is in maintenance mode (drained by request"
          + " drain-h3) and takes no new VMs: pass --force to start VM maint-1 there anyway");
      assertThat(vms("")).isEmpty();

      AdminStartVmResponse forced = startVm("h3", spec("maint-1", 32, "boot.img"), true);
      assertThat(forced.getVm().getHost()).isEqualTo("h3");
      assertThat(forced.getVm().getState()).isEqualTo(VmState.VM_RUNNING);
    } finally {
      admin.undrain(UndrainRequest.newBuilder().setHost("h3").setMeta(meta("undrain-h3")).build());
    }
    // The drain may already be moving the forced VM away: --force stops it wherever it is.
    stopVm("maint-1", "stop-maint-1", true);
    Await.until("maint-1 gone", Duration.ofSeconds(30), () -> vms("").isEmpty());
  }

  @Test
  @Order(4)
  void migratingVmIsRefusedAndForceCancelsTheMigrationFirst() throws Exception {
    // Touched memory makes the transfer real; at 512 KiB/s it takes about a minute.
    agents.get(2).sim().start(VmSpec.newBuilder().setName("busy-1").setVcpus(1).setMemoryBytes(32L << 20)
        .setSim(SimWorkload.newBuilder().setMemoryTouchedBytes(32L << 20).setDirtyRateBytesPerSecond(64 << 10)
            .setPattern("hot").setHotSetRatio(0.25)).build());
    Await.until("busy-1 reported", Duration.ofSeconds(30),
        () -> vms("h3").stream().anyMatch(v -> v.getName().equals("busy-1")));
    String id = admin.migrate(MigrateRequest.newBuilder().setMeta(meta("move-busy-1")).setVm("busy-1")
        .setDestinationHost("h2").setLimits(MigrationLimits.newBuilder().setBandwidthBytesPerSecond(512 << 10))
        .build()).getMigration().getStatus().getMigrationId();
    Await.until("transferring", Duration.ofSeconds(30), () -> migration(id).getStatus().getPhase()
        == MigrationPhase.TRANSFERRING);

    StatusRuntimeException e = refusal(() -> stopVm("busy-1", "stop-busy-1", false));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(e.getStatus().getDescription()).startsWith("VM busy-1 is migrating (" + id + ", h3 -> h2, ")
        .contains("'ferry migrate --cancel " + id + "'").contains("--force");

    AdminStopVmResponse stopped = stopVm("busy-1", "stop-busy-1-force", true);
    assertThat(stopped.getCancelledMigrationId()).isEqualTo(id);
    assertThat(stopped.getHost()).isEqualTo("h3");
    assertThat(vms("h3")).noneMatch(v -> v.getName().equals("busy-1"));
    assertThat(migration(id).getStatus().getPhase()).isEqualTo(MigrationPhase.ROLLED_BACK);
    assertThat(migration(id).getStatus().getMessage()).contains("stopped by cli:test");
    Await.until("busy-1 gone from every host", Duration.ofSeconds(30),
        () -> vms("").stream().noneMatch(v -> v.getName().equals("busy-1")));
    assertThat(events("h3", "busy-1")).extracting(VmEvent::kind)
        .containsExactly(VmEvent.Kind.RUNNING, VmEvent.Kind.STOPPED);
    assertThat(events("h2", "busy-1")).isEmpty();
  }

  private MigrationRecord migration(String id) {
    return admin.listMigrations(ListMigrationsRequest.newBuilder().setIncludeFinished(true).build())
        .getMigrationsList().stream().filter(m -> m.getStatus().getMigrationId().equals(id)).findFirst()
        .orElseThrow();
  }
}
