package io.ferry.it.chaos;

import io.ferry.common.testing.RawGrpc;
import io.ferry.common.tickets.TicketKeys;
import io.ferry.common.tickets.TicketSigner;
import io.ferry.common.tls.TlsMaterial;
import io.ferry.it.FerryProcess;
import io.ferry.v1.AdminGrpc;
import io.ferry.v1.ApplyPolicyRequest;
import io.ferry.v1.ApplyPolicyResponse;
import io.ferry.v1.GetInventoryRequest;
import io.ferry.v1.GetPolicyRequest;
import io.ferry.v1.GetStatusRequest;
import io.ferry.v1.HostAgentGrpc;
import io.ferry.v1.MigrateVmRequest;
import io.ferry.v1.MigrationPeerGrpc;
import io.ferry.v1.MigrationTicket;
import io.ferry.v1.PrepareRequest;
import io.ferry.v1.RequestMeta;
import io.ferry.v1.SimWorkload;
import io.ferry.v1.VmSpec;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A burst of bad input at the running cluster: bytes that are no protobuf, messages over the 16 MiB limit, clients
 * with no or foreign certificates, replayed, forged and expired migration tickets, a command with a stale epoch, and
 * an invalid policy. Each must be refused with the right status (and nothing else may change); the invariants after
 * the burst show nothing was lost.
 */
final class BadInput {
  /** The name of the VM the ticket probes announce; no such VM exists, and none may be left behind. */
  static final String PROBE_VM = "chaos-ticket-probe";

  private final ChaosRun run;
  private final ChaosCluster cluster;

  BadInput(ChaosRun run) {
    this.run = run;
    this.cluster = run.cluster;
  }

  void burst(ChaosRun.Injection in) throws Exception {
    in.interrupted = run.migrationsInFlight(Duration.ofSeconds(15));
    ChaosCluster.Node leader = cluster.node(run.view.leaderByMetrics());
    ChaosCluster.Node agent = run.agentsByVms().get(0);
    ChaosCluster.Node other = run.agentsByVms().get(1);
    malformed(in, leader, agent);
    oversized(in, leader, agent);
    certificates(in, leader, agent);
    tickets(in, agent, other);
    staleEpoch(in, agent);
    invalidPolicy(in);
    in.healedNow();
  }

  /** Fails unless {@code call} is refused with {@code expected}. */
  private static void refused(ChaosRun.Injection in, String what, Status.Code expected, Supplier<?> call) {
    try {
      call.get();
      in.problem(what + " was accepted; expected " + expected);
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() != expected) {
        in.problem(what + " answered " + e.getStatus() + "; expected " + expected);
      }
    }
  }

  /** Bytes that are no protobuf: a length-delimited field 1 claiming far more bytes than follow. */
  private void malformed(ChaosRun.Injection in, ChaosCluster.Node leader, ChaosCluster.Node agent) {
    byte[] garbage = {0x0a, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f, 0x01, 0x02};
    ManagedChannel toLeader = cluster.channel(leader.endpoint());
    ManagedChannel toAgent = cluster.channel(agent.directEndpoint());
    refused(in, "malformed ApplyPolicy", Status.Code.INVALID_ARGUMENT,
        () -> RawGrpc.call(toLeader, "ferry.v1.Admin/ApplyPolicy", garbage));
    refused(in, "malformed MigrateVm", Status.Code.INVALID_ARGUMENT,
        () -> RawGrpc.call(toAgent, "ferry.v1.HostAgent/MigrateVm", garbage));
    refused(in, "malformed Prepare", Status.Code.INVALID_ARGUMENT,
        () -> RawGrpc.call(toAgent, "ferry.v1.MigrationPeer/Prepare", garbage));
    stillServes(in, leader, agent);
  }

  /** Messages over the servers' 16 MiB limit. */
  private void oversized(ChaosRun.Injection in, ChaosCluster.Node leader, ChaosCluster.Node agent) {
    String huge = "x".repeat(17 << 20);
    refused(in, "17 MiB policy", Status.Code.RESOURCE_EXHAUSTED, () -> AdminGrpc.newBlockingStub(
        cluster.channel(leader.endpoint())).withDeadlineAfter(20, TimeUnit.SECONDS)
        .applyPolicy(ApplyPolicyRequest.newBuilder().setYaml(huge).setFileName("huge.yaml").build()));
    refused(in, "17 MiB prepare", Status.Code.RESOURCE_EXHAUSTED, () -> MigrationPeerGrpc.newBlockingStub(
        cluster.channel(agent.directEndpoint())).withDeadlineAfter(20, TimeUnit.SECONDS)
        .prepare(PrepareRequest.newBuilder().setSpec(VmSpec.newBuilder().setName(PROBE_VM)
            .putLabels("junk", huge)).build()));
    stillServes(in, leader, agent);
  }

  /** Clients without a valid certificate: plain text, none, one from another CA. */
  private void certificates(ChaosRun.Injection in, ChaosCluster.Node leader, ChaosCluster.Node agent)
      throws Exception {
    Path foreign = cluster.dir().resolve("foreign-certs");
    if (!foreign.resolve("node.crt").toFile().exists()) {
      FerryProcess.Result r = FerryProcess.run(Map.of(), Duration.ofSeconds(60), "certs", "init", "--out",
          foreign.toString(), "--cluster", "intruder");
      if (r.exitCode() != 0) {
        throw new IllegalStateException("ferry certs init failed: " + r.err());
      }
    }
    TlsMaterial ours = cluster.tls;
    TlsMaterial theirs = TlsMaterial.fromDirectory(foreign);
    Map<String, ChannelCredentials> clients = Map.of(
        "a plain-text client", InsecureChannelCredentials.create(),
        "a client without a certificate", TlsChannelCredentials.newBuilder()
            .trustManager(ours.caCert().toFile()).build(),
        "a client with a certificate of another CA", TlsChannelCredentials.newBuilder()
            .keyManager(theirs.cert().toFile(), theirs.key().toFile()).trustManager(ours.caCert().toFile()).build());
    for (Map.Entry<String, ChannelCredentials> c : clients.entrySet()) {
      for (ChaosCluster.Node target : new ChaosCluster.Node[] {leader, agent}) {
        String endpoint = target.agent ? target.directEndpoint() : target.endpoint();
        ManagedChannel ch = Grpc.newChannelBuilder(endpoint, c.getValue()).build();
        try {
          refused(in, c.getKey() + " calling " + target.name, Status.Code.UNAVAILABLE, () -> target.agent
              ? HostAgentGrpc.newBlockingStub(ch).withDeadlineAfter(5, TimeUnit.SECONDS)
                  .getInventory(GetInventoryRequest.getDefaultInstance())
              : AdminGrpc.newBlockingStub(ch).withDeadlineAfter(5, TimeUnit.SECONDS)
                  .getStatus(GetStatusRequest.getDefaultInstance()));
        } finally {
          ch.shutdownNow();
        }
      }
    }
    stillServes(in, leader, agent);
  }

  /**
   * Tickets at a destination: a valid one is admitted once and refused when replayed; one signed with another key
   * and an expired one are refused. The admitted incoming VM gets no data and must be discarded by the
   * destination on its own (the invariants find it otherwise).
   */
  private void tickets(ChaosRun.Injection in, ChaosCluster.Node destination, ChaosCluster.Node source) {
    Path keys = cluster.certs;
    TicketSigner signer = new TicketSigner(TicketKeys.readPrivate(keys.resolve(TicketKeys.PRIVATE_KEY_FILE)),
        TicketKeys.readPublic(keys.resolve(TicketKeys.PUBLIC_KEY_FILE)), Clock.systemUTC());
    var forgedKeys = TicketKeys.generate();
    TicketSigner forger = new TicketSigner(forgedKeys.getPrivate(), forgedKeys.getPublic(), Clock.systemUTC());
    long epoch = (long) run.view.metric(destination, "ferry_agent_highest_epoch_seen");
    MigrationTicket valid = signer.issue("chaos-ticket-1", PROBE_VM, source.name, destination.name, epoch,
        Duration.ofMinutes(1));
    MigrationPeerGrpc.MigrationPeerBlockingStub peer = MigrationPeerGrpc.newBlockingStub(
        cluster.channel(destination.directEndpoint()));
    try {
      peer.withDeadlineAfter(10, TimeUnit.SECONDS).prepare(prepare(valid, source));
    } catch (StatusRuntimeException e) {
      in.problem("a valid ticket was refused: " + e.getStatus());
    }
    refused(in, "a replayed ticket", Status.Code.ALREADY_EXISTS,
        () -> peer.withDeadlineAfter(10, TimeUnit.SECONDS).prepare(prepare(valid, source)));
    refused(in, "a ticket signed with another key", Status.Code.PERMISSION_DENIED,
        () -> peer.withDeadlineAfter(10, TimeUnit.SECONDS).prepare(prepare(forger.issue("chaos-ticket-2", PROBE_VM,
            source.name, destination.name, epoch, Duration.ofMinutes(1)), source)));
    refused(in, "an expired ticket", Status.Code.FAILED_PRECONDITION,
        () -> peer.withDeadlineAfter(10, TimeUnit.SECONDS).prepare(prepare(signer.issue("chaos-ticket-3", PROBE_VM,
            source.name, destination.name, epoch, Duration.ofSeconds(-5)), source)));
  }

  private static PrepareRequest prepare(MigrationTicket ticket, ChaosCluster.Node source) {
    return PrepareRequest.newBuilder().setTicket(ticket).setPageSizeBytes(4096).setSourceEndpoint(source.endpoint())
        .setSpec(VmSpec.newBuilder().setName(PROBE_VM).setVcpus(1).setMemoryBytes(4L << 20)
            .setSim(SimWorkload.newBuilder().setPattern("uniform"))).build();
  }

  /** A command carrying the epoch of a term long gone. */
  private void staleEpoch(ChaosRun.Injection in, ChaosCluster.Node agent) {
    refused(in, "MigrateVm with epoch 1", Status.Code.FAILED_PRECONDITION, () -> HostAgentGrpc.newBlockingStub(
        cluster.channel(agent.directEndpoint())).withDeadlineAfter(5, TimeUnit.SECONDS)
        .migrateVm(MigrateVmRequest.newBuilder().setMeta(RequestMeta.newBuilder().setEpoch(1)
            .setRequestId("chaos-stale").setIssuer("chaos")).setMigrationId("chaos-stale").setVm("nothing")
            .setDestinationEndpoint("127.0.0.1:1").build()));
  }

  /** A policy with errors applied mid-run: refused with positions, the running policy unchanged. */
  private void invalidPolicy(ChaosRun.Injection in) {
    AdminGrpc.AdminBlockingStub admin = run.view.leader().orElseThrow(() -> new IllegalStateException("no leader"));
    long version = admin.getPolicy(GetPolicyRequest.getDefaultInstance()).getInfo().getVersion();
    ApplyPolicyResponse r = admin.applyPolicy(ApplyPolicyRequest.newBuilder().setFileName("broken.yaml")
        .setYaml("apiVersion: ferry.io/v1\nkind: SchedulingPolicy\nmetadata: {name: broken}\nspec:\n"
            + "  balance: {aggresiveness: 7}\n  interval: 60\n").build());
    in.expect(!r.getApplied(), "an invalid policy was applied");
    in.expect(r.getErrorsCount() >= 2 && r.getErrorsList().stream().allMatch(e -> e.getLine() > 0),
        "the invalid policy's errors do not all name a line: " + r.getErrorsList());
    long after = run.view.leader().orElseThrow().getPolicy(GetPolicyRequest.getDefaultInstance()).getInfo()
        .getVersion();
    in.expect(after == version, "the running policy changed from version " + version + " to " + after);
  }

  /** After bad input both servers still answer a good client. */
  private void stillServes(ChaosRun.Injection in, ChaosCluster.Node leader, ChaosCluster.Node agent) {
    try {
      AdminGrpc.newBlockingStub(cluster.channel(leader.endpoint())).withDeadlineAfter(5, TimeUnit.SECONDS)
          .getStatus(GetStatusRequest.getDefaultInstance());
    } catch (StatusRuntimeException e) {
      in.problem(leader.name + " stopped answering after bad input: " + e.getStatus());
    }
    if (run.view.inventory(agent).isEmpty()) {
      in.problem(agent.name + " stopped answering after bad input");
    }
  }

}
