package io.ferry.hostagent.migration;

import static io.ferry.common.testing.Await.until;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.common.HostPort;
import io.ferry.hostagent.hypervisor.VirtualMachine;
import io.ferry.hostagent.migration.kit.LoopbackAgents;
import io.ferry.hostagent.migration.kit.TcpProxy;
import io.ferry.hostagent.migration.transfer.DataChannel;
import io.ferry.v1.MigrateVmRequest;
import io.ferry.v1.MigrationPhase;
import io.ferry.v1.MigrationStrategy;
import io.ferry.v1.VmState;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which transport the transfer streams take: the destination's data channel where it offers one (listening and
 * advertised where its options say), gRPC Transfer calls where it does not; either way the VM arrives whole.
 */
class DataChannelTest {
  @TempDir Path dir;

  @Test
  void streamsTakeTheDestinationsDataChannel() throws Exception {
    try (LoopbackAgents hosts = new LoopbackAgents(dir)) {
      MigrationOutcome outcome = moveQuietVm(hosts, MigrationStrategy.PRE_COPY);

      assertThat(outcome.committed()).as(outcome.reason()).isTrue();
      assertThat(streams(hosts, "data_channel")).isPositive();
      assertThat(streams(hosts, "grpc")).isZero();
    }
  }

  @Test
  void aDestinationWithoutADataChannelGetsTransferCalls() throws Exception {
    MigrationSettings on = MigrationSettings.defaults();
    try (LoopbackAgents hosts = new LoopbackAgents(dir, on, on.withDataChannel(DataChannelOptions.OFF))) {
      assertThat(hosts.dst.engine.startDataChannel()).isEmpty();

      MigrationOutcome outcome = moveQuietVm(hosts, MigrationStrategy.POST_COPY);

      assertThat(outcome.committed()).as(outcome.reason()).isTrue();
      assertThat(streams(hosts, "grpc")).isPositive();
      assertThat(streams(hosts, "data_channel")).isZero();
    }
  }

  @Test
  void listensOnTheGivenPortAndSourcesConnectWhereItIsAdvertised() throws Exception {
    int port = freePort();
    int nobodyListens = freePort();
    MigrationSettings on = MigrationSettings.defaults();
    MigrationSettings elsewhere = on.withDataChannel(DataChannelOptions.of("127.0.0.1:" + port,
        "127.0.0.1:" + nobodyListens));
    try (LoopbackAgents hosts = new LoopbackAgents(dir, on, elsewhere)) {
      assertThat(hosts.dst.engine.startDataChannel()).contains("127.0.0.1:" + nobodyListens);
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
        assertThat(s.isConnected()).isTrue();
      }

      // the advertised address is what sources use: nothing answers there, so the migration rolls back
      MigrationOutcome outcome = moveQuietVm(hosts, MigrationStrategy.PRE_COPY);

      assertThat(outcome.result()).isEqualTo(MigrationPhase.ROLLED_BACK);
      assertThat(outcome.reason()).contains("127.0.0.1:" + nobodyListens);
      assertThat(hosts.src.vm("quiet").state()).isEqualTo(VmState.VM_RUNNING);
      assertThat(hosts.dst.has("quiet")).isFalse();
      assertThat(hosts.overlap()).isEmpty();
    }
  }

  @Test
  void aDataChannelWhoseCertificateDoesNotNameTheAdvertisedHostIsRefused() throws Exception {
    // the agents' certificates name localhost and 127.0.0.1; 127.0.0.2 is loopback too, but not theirs
    MigrationSettings on = MigrationSettings.defaults();
    MigrationSettings unnamed = on.withDataChannel(DataChannelOptions.of("127.0.0.2", null));
    try (LoopbackAgents hosts = new LoopbackAgents(dir, on, unnamed)) {
      MigrationOutcome outcome = moveQuietVm(hosts, MigrationStrategy.PRE_COPY);

      assertThat(outcome.result()).isEqualTo(MigrationPhase.ROLLED_BACK);
      assertThat(outcome.reason()).contains("127.0.0.2")
          .contains("TLS handshake failed: No subject alternative names");
      assertThat(hosts.src.vm("quiet").state()).isEqualTo(VmState.VM_RUNNING);
      assertThat(hosts.dst.has("quiet")).isFalse();
    }
  }

  @Test
  void aPortInUseIsNamedWhenTheChannelStarts() throws Exception {
    try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      MigrationSettings taken = MigrationSettings.defaults().withDataChannel(
          DataChannelOptions.of("127.0.0.1:" + busy.getLocalPort(), null));
      try (LoopbackAgents hosts = new LoopbackAgents(dir, MigrationSettings.defaults(), taken)) {
        assertThatThrownBy(hosts.dst.engine::startDataChannel)
            .hasMessageContaining("cannot listen for migration data on 127.0.0.1:" + busy.getLocalPort());
      }
    }
  }

  @Test
  void aConnectionThatNeverSaysWhichMigrationItCarriesIsClosed() throws Exception {
    try (BareListener listener = BareListener.open(Duration.ofMillis(300));
         Socket silent = new Socket(InetAddress.getLoopbackAddress(), listener.server.port())) {
      silent.setSoTimeout(10_000); // not closed by then: the read throws and the test fails
      assertThat(silent.getInputStream().read()).as("end of stream").isEqualTo(-1);
    }
  }

  @Test
  void aFrameTheDestinationCannotTakeIsAnsweredWithTheReasonNotACutConnection() throws Exception {
    try (BareListener listener = BareListener.open(Duration.ofSeconds(10));
         Socket source = new Socket(InetAddress.getLoopbackAddress(), listener.server.port())) {
      source.setSoTimeout(10_000);
      java.io.DataOutputStream out = new java.io.DataOutputStream(source.getOutputStream());
      out.writeInt(DataChannel.MAX_FRAME_BYTES + 1);
      out.flush();

      java.io.DataInputStream in = new java.io.DataInputStream(source.getInputStream());
      byte[] frame = new byte[in.readInt()]; // a closed connection throws EOFException here
      in.readFully(frame);
      assertThat(io.ferry.v1.TransferAck.parseFrom(frame).getError())
          .contains("destination dst ended the data channel connection").contains("frame length");
    }
  }

  @Test
  void connectionsOfASourceThatVanishedAreClosedOnceItsMigrationIsDiscarded() throws Exception {
    int port = freePort();
    try (TcpProxy network = new TcpProxy("127.0.0.1", port);
         LoopbackAgents hosts = agentsBehind(network, port, Duration.ofSeconds(10), Duration.ofSeconds(2))) {
      VirtualMachine vm = hosts.startOnSource(LoopbackAgents.spec("slow", 64, 0, "uniform"));
      startSlowMove(hosts, network, MigrationStrategy.PRE_COPY);

      // the source's host drops off the network: its connections neither carry anything nor close
      network.freeze();

      until("destination discarded its copy", Duration.ofSeconds(30), () -> !hosts.dst.has("slow"));
      until("destination closed both connections of the discarded migration", Duration.ofSeconds(30),
          () -> network.targetClosures() == 2);
      assertThat(vm.state()).isEqualTo(VmState.VM_RUNNING);
      assertThat(hosts.overlap()).isEmpty();
    }
  }

  @Test
  void aSourceWhoseStreamsAreBlackholedRollsBackAfterItsStallLimitNotItsTimeout() throws Exception {
    int port = freePort();
    try (TcpProxy network = new TcpProxy("127.0.0.1", port);
         LoopbackAgents hosts = agentsBehind(network, port, Duration.ofSeconds(2), Duration.ofSeconds(2))) {
      VirtualMachine vm = hosts.startOnSource(LoopbackAgents.spec("slow", 64, 0, "uniform"));
      MigrateVmRequest r = startSlowMove(hosts, network, MigrationStrategy.PRE_COPY);

      // the path drops everything and closes nothing: the source hears no acknowledgement, and no error either
      network.freeze();
      MigrationOutcome outcome = outcomeOf(hosts, r);

      // rolled back because its streams stalled (2 s), not because the request's 60 s ran out
      assertThat(outcome.result()).isEqualTo(MigrationPhase.ROLLED_BACK);
      assertThat(outcome.reason()).contains("acknowledged nothing for").doesNotContain("timed out");
      assertThat(vm.state()).isEqualTo(VmState.VM_RUNNING);
      assertThat(hosts.src.has("slow")).isTrue();
      until("destination discarded its copy", Duration.ofSeconds(30), () -> !hosts.dst.has("slow"));
      assertThat(hosts.overlap()).isEmpty();
    }
  }

  @Test
  void aPostCopyPushWhosePathWentDarkReconnectsAndFinishes() throws Exception {
    int port = freePort();
    try (TcpProxy network = new TcpProxy("127.0.0.1", port);
         LoopbackAgents hosts = agentsBehind(network, port, Duration.ofSeconds(2), Duration.ofSeconds(2))) {
      VirtualMachine vm = hosts.startOnSource(LoopbackAgents.spec("slow", 64, 0, "uniform"));
      Await.progress(vm, 10);
      String before = MemoryImages.memoryWithoutCounterPage(vm);
      MigrateVmRequest r = startSlowMove(hosts, network, MigrationStrategy.POST_COPY);
      until("the VM runs on the destination while its pages are pushed", Duration.ofSeconds(30),
          () -> hosts.dst.has("slow") && hosts.dst.vm("slow").state() == VmState.VM_RUNNING);

      // the push's connections go dark (nothing arrives, nothing closes); a new connection would get through
      network.freezeOpenConnections();
      MigrationOutcome outcome = outcomeOf(hosts, r);

      assertThat(outcome.committed()).as(outcome.reason()).isTrue();
      assertThat(network.connections()).as("connections, the push's second pair included").isGreaterThan(2);
      VirtualMachine moved = hosts.dst.vm("slow");
      assertThat(((io.ferry.hostagent.hypervisor.PageAccess) moved.migrationSupport()).memory()
          .missingPageCount()).isZero();
      moved.pause();
      assertThat(MemoryImages.memoryWithoutCounterPage(moved)).isEqualTo(before);
      assertThat(hosts.overlap()).isEmpty();
    }
  }

  @Test
  void optionsReadTheAgentsFlags() {
    assertThat(DataChannelOptions.of(null, null)).isEqualTo(DataChannelOptions.DEFAULT);
    assertThat(DataChannelOptions.of("10.0.0.5", null)).isEqualTo(new DataChannelOptions(true, "10.0.0.5", 0, null));
    assertThat(DataChannelOptions.of("10.0.0.5:7600", "gw.example:17600")).isEqualTo(
        new DataChannelOptions(true, "10.0.0.5", 7600, new HostPort("gw.example", 17600)));
    assertThat(DataChannelOptions.of(":7600", null)).isEqualTo(new DataChannelOptions(true, null, 7600, null));
    assertThat(DataChannelOptions.of("[fd00::5]:7600", null)).isEqualTo(
        new DataChannelOptions(true, "fd00::5", 7600, null));
    assertThat(DataChannelOptions.of("fd00::5", null)).isEqualTo(new DataChannelOptions(true, "fd00::5", 0, null));
    assertThatThrownBy(() -> DataChannelOptions.of("10.0.0.5:http", null))
        .hasMessageContaining("'10.0.0.5:http' has a port that is not a number");
    assertThatThrownBy(() -> DataChannelOptions.of(null, "gw.example"))
        .hasMessageContaining("'gw.example' is not HOST:PORT");
  }

  /** A plain-text data channel listener of host "dst" that knows no migration. */
  private record BareListener(DataChannel channel, DataChannelServer server) implements AutoCloseable {
    static BareListener open(Duration helloDeadline) {
      DataChannel dc = new DataChannel(io.ferry.common.tls.TlsMaterial.insecurePlainText(), "dst", 1);
      return new BareListener(dc, new DataChannelServer(dc, "dst", "127.0.0.1", 0, null, null, helloDeadline,
          Duration.ofSeconds(1)));
    }

    @Override
    public void close() {
      server.close();
      channel.close();
    }
  }

  /**
   * Two agents whose destination's data channel listens on {@code port} and is reached through {@code network}; each
   * with its own incoming idle timeout (also its streams' stall limit).
   */
  private LoopbackAgents agentsBehind(TcpProxy network, int port, Duration sourceIdle, Duration destinationIdle)
      throws Exception {
    MigrationSettings d = MigrationSettings.defaults();
    return new LoopbackAgents(dir, d.withIncomingIdleTimeout(sourceIdle), d.withIncomingIdleTimeout(destinationIdle)
        .withDataChannel(DataChannelOptions.of("127.0.0.1:" + port, "127.0.0.1:" + network.port())));
  }

  private static MigrationOutcome outcomeOf(LoopbackAgents hosts, MigrateVmRequest r) throws Exception {
    return hosts.src.engine.outcome(r.getMigrationId()).orElseThrow().get(90, java.util.concurrent.TimeUnit.SECONDS);
  }

  /** Starts moving VM "slow" at 4 MiB/s; returns once both its streams are connected through {@code network}. */
  private static MigrateVmRequest startSlowMove(LoopbackAgents hosts, TcpProxy network, MigrationStrategy strategy)
      throws Exception {
    MigrateVmRequest r = hosts.request("slow", strategy, LoopbackAgents.limits()
        .setAllowPostCopy(strategy == MigrationStrategy.POST_COPY).setBandwidthBytesPerSecond(4 << 20).build());
    hosts.src.engine.start(r);
    until("both streams connected", Duration.ofSeconds(30), () -> network.connections() == 2);
    return r;
  }

  private static MigrationOutcome moveQuietVm(LoopbackAgents hosts, MigrationStrategy strategy) throws Exception {
    VirtualMachine vm = hosts.startOnSource(LoopbackAgents.spec("quiet", 16, 0, "uniform"));
    Await.progress(vm, 10);
    String before = MemoryImages.memoryWithoutCounterPage(vm);
    MigrationOutcome outcome = hosts.migrate(hosts.request("quiet", strategy,
        LoopbackAgents.limits().setAllowPostCopy(strategy == MigrationStrategy.POST_COPY).build()));
    if (outcome.committed()) {
      assertThat(MemoryImages.memoryWithoutCounterPage(hosts.dst.vm("quiet"))).isEqualTo(before);
      assertThat(hosts.overlap()).isEmpty();
    }
    return outcome;
  }

  private static double streams(LoopbackAgents hosts, String transport) {
    return hosts.src.meters.get("ferry.migration.streams").tag("transport", transport).counter().count();
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }
}
