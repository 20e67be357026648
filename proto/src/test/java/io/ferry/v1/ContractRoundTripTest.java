package io.ferry.v1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every ferry.v1 service carries its messages intact through a real (in-process) gRPC channel. */
class ContractRoundTripTest {
  private static final Metadata.Key<String> LEADER =
      Metadata.Key.of("ferry-leader-endpoint", Metadata.ASCII_STRING_MARSHALLER);

  private Server server;
  private ManagedChannel channel;
  private final List<Object> received = new CopyOnWriteArrayList<>();

  static final MigrationTicket TICKET = MigrationTicket.newBuilder()
      .setMigrationId("m-1").setVm("vm-7").setSourceHost("h1").setDestinationHost("h2").setEpoch(42)
      .setExpiresAt(Timestamp.newBuilder().setSeconds(1_800_000_000L))
      .setNonce(ByteString.copyFromUtf8("nonce")).setKeyId("k1")
      .setSignature(ByteString.copyFrom(new byte[] {1, 2, 3})).build();

  static final MigrationStatus STATUS = MigrationStatus.newBuilder()
      .setMigrationId("m-1").setVm("vm-7").setSourceHost("h1").setDestinationHost("h2")
      .setPhase(MigrationPhase.TRANSFERRING).setStrategy(MigrationStrategy.AUTO)
      .setStrategyInUse(MigrationStrategy.POST_COPY).setTotalBytes(1L << 30).setRemainingBytes(1L << 20)
      .setStats(MigrationStats.newBuilder().setRounds(3).setBytesRam(123).setPostCopyFaults(9)
          .setDowntime(Duration.newBuilder().setNanos(12_000_000)))
      .build();

  @BeforeEach
  void start() throws Exception {
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).directExecutor()
        .addService(new FakeAgent()).addService(new FakeIngest()).addService(new FakePeer())
        .addService(new FakeAdmin()).build().start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    server.shutdownNow();
  }

  @Test
  void migrateCommandKeepsTicketLimitsAndFencingEpoch() {
    MigrateVmRequest req = MigrateVmRequest.newBuilder()
        .setMeta(RequestMeta.newBuilder().setRequestId("r-1").setEpoch(42).setIssuer("s1"))
        .setMigrationId("m-1").setVm("vm-7").setDestinationHost("h2").setDestinationEndpoint("10.0.0.2:7500")
        .setStrategy(MigrationStrategy.AUTO)
        .setLimits(MigrationLimits.newBuilder().setBandwidthBytesPerSecond(1L << 30).setAllowPostCopy(true)
            .setMaxDowntime(Duration.newBuilder().setNanos(300_000_000)).setCompression("zstd").setStreams(4))
        .setTicket(TICKET).build();

    MigrateVmResponse resp = HostAgentGrpc.newBlockingStub(channel).migrateVm(req);

    assertThat(received).containsExactly(req);
    assertThat(resp.getStatus()).isEqualTo(STATUS);
  }

  @Test
  void inventoryCarriesFactsVmsAndSignals() {
    Inventory inv = HostAgentGrpc.newBlockingStub(channel).getInventory(GetInventoryRequest.getDefaultInstance());
    assertThat(inv.getFacts().getCpuFeaturesList()).containsExactly("avx2", "aes");
    assertThat(inv.getVms(0).getLabelsMap()).containsEntry("app", "db");
    assertThat(inv.getHighestEpochSeen()).isEqualTo(41);
  }

  @Test
  void ingestStreamAcksEveryReportInOrder() throws Exception {
    List<ReportAck> acks = new ArrayList<>();
    CountDownLatch done = new CountDownLatch(1);
    StreamObserver<HostReport> reports = IngestGrpc.newStub(channel).report(new StreamObserver<>() {
      @Override public void onNext(ReportAck value) { acks.add(value); }
      @Override public void onError(Throwable t) { done.countDown(); }
      @Override public void onCompleted() { done.countDown(); }
    });
    for (int i = 1; i <= 3; i++) {
      reports.onNext(HostReport.newBuilder().setHost("h1").setSequence(i)
          .setSignals(HostSignals.newBuilder().setTemperature(TemperatureSignal.newBuilder()
              .setHeadlineCelsius(60 + i).addSensors(TemperatureSensor.newBuilder().setSensor("hwmon0/temp1")
                  .setLabel("Package id 0").setCelsius(60 + i).setCritCelsius(100).setCpuPackage(true))))
          .build());
    }
    reports.onCompleted();
    assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(acks).extracting(ReportAck::getSequence).containsExactly(1L, 2L, 3L);
    assertThat(((HostReport) received.get(2)).getSignals().getTemperature().getSensors(0).getCritCelsius())
        .isEqualTo(100);
  }

  @Test
  void transferChunksAndPageRequestsStreamBothWays() {
    TransferChunk chunk = TransferChunk.newBuilder().setMigrationId("m-1").setSequence(7).setStream(1)
        .setKind(ChunkKind.RAM).setRound(2).setFirstIndex(4096).setCount(16).setEncoding(Encoding.XBZRLE)
        .setPayload(ByteString.copyFrom(new byte[4096])).setChecksum(0xDEADBEEF).build();
    List<TransferChunk> pages = new ArrayList<>();
    CountDownLatch done = new CountDownLatch(1);
    StreamObserver<PageRequest> requests = MigrationPeerGrpc.newStub(channel).requestPages(new StreamObserver<>() {
      @Override public void onNext(TransferChunk value) { pages.add(value); }
      @Override public void onError(Throwable t) { done.countDown(); }
      @Override public void onCompleted() { done.countDown(); }
    });
    requests.onNext(PageRequest.newBuilder().setMigrationId("m-1").addPageIndexes(4096).build());
    requests.onCompleted();
    assertThat(pages).hasSize(1);
    assertThat(pages.get(0).getChecksum()).isEqualTo(0xDEADBEEF);

    PrepareResponse prep = MigrationPeerGrpc.newBlockingStub(channel).prepare(PrepareRequest.newBuilder()
        .setTicket(TICKET).setSpec(VmSpec.newBuilder().setName("vm-7").setMemoryBytes(1L << 30)
            .setSim(SimWorkload.newBuilder().setPattern("hot").setDirtyRateBytesPerSecond(1e6))).build());
    assertThat(prep.getMigrationId()).isEqualTo("m-1");
    assertThat(((PrepareRequest) received.get(received.size() - 1)).getTicket()).isEqualTo(TICKET);
    assertThat(chunk.toByteString().size()).isGreaterThan(4096);
  }

  @Test
  void standbyAnswersUnavailableNamingTheLeader() {
    assertThatThrownBy(() -> AdminGrpc.newBlockingStub(channel).drain(DrainRequest.newBuilder().setHost("h1").build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
          assertThat(e.getStatus().getDescription()).isEqualTo("not the leader, leader is s2 at 10.0.0.2:7400");
          assertThat(e.getTrailers().get(LEADER)).isEqualTo("10.0.0.2:7400");
        });
  }

  @Test
  void statusSurvivesJsonForCliOutput() throws Exception {
    ClusterStatus status = AdminGrpc.newBlockingStub(channel).getStatus(GetStatusRequest.getDefaultInstance());
    String json = JsonFormat.printer().print(status);
    ClusterStatus.Builder back = ClusterStatus.newBuilder();
    JsonFormat.parser().merge(json, back);
    assertThat(back.build()).isEqualTo(status);
    assertThat(json).contains("\"leader\": \"s1\"").contains("HOST_MODE_QUARANTINE");
  }

  private final class FakeAgent extends HostAgentGrpc.HostAgentImplBase {
    @Override
    public void migrateVm(MigrateVmRequest request, StreamObserver<MigrateVmResponse> out) {
      received.add(request);
      out.onNext(MigrateVmResponse.newBuilder().setStatus(STATUS).build());
      out.onCompleted();
    }

    @Override
    public void getInventory(GetInventoryRequest request, StreamObserver<Inventory> out) {
      out.onNext(Inventory.newBuilder()
          .setFacts(HostFacts.newBuilder().setName("h1").addCpuFeatures("avx2").addCpuFeatures("aes"))
          .addVms(VmUsage.newBuilder().setName("vm-7").putLabels("app", "db"))
          .setHighestEpochSeen(41).build());
      out.onCompleted();
    }
  }

  private final class FakeIngest extends IngestGrpc.IngestImplBase {
    @Override
    public StreamObserver<HostReport> report(StreamObserver<ReportAck> acks) {
      return new StreamObserver<>() {
        @Override
        public void onNext(HostReport r) {
          received.add(r);
          acks.onNext(ReportAck.newBuilder().setSequence(r.getSequence()).setEpoch(42).setLeader("s1").build());
        }

        @Override public void onError(Throwable t) {}

        @Override public void onCompleted() { acks.onCompleted(); }
      };
    }
  }

  private final class FakePeer extends MigrationPeerGrpc.MigrationPeerImplBase {
    @Override
    public void prepare(PrepareRequest request, StreamObserver<PrepareResponse> out) {
      received.add(request);
      out.onNext(PrepareResponse.newBuilder().setMigrationId(request.getTicket().getMigrationId()).build());
      out.onCompleted();
    }

    @Override
    public StreamObserver<PageRequest> requestPages(StreamObserver<TransferChunk> out) {
      return new StreamObserver<>() {
        @Override
        public void onNext(PageRequest r) {
          for (Iterator<Long> it = r.getPageIndexesList().iterator(); it.hasNext(); ) {
            out.onNext(TransferChunk.newBuilder().setMigrationId(r.getMigrationId()).setFirstIndex(it.next())
                .setCount(1).setChecksum(0xDEADBEEF).build());
          }
        }

        @Override public void onError(Throwable t) {}

        @Override public void onCompleted() { out.onCompleted(); }
      };
    }
  }

  private final class FakeAdmin extends AdminGrpc.AdminImplBase {
    @Override
    public void drain(DrainRequest request, StreamObserver<DrainResponse> out) {
      Metadata trailers = new Metadata();
      trailers.put(LEADER, "10.0.0.2:7400");
      out.onError(Status.UNAVAILABLE.withDescription("not the leader, leader is s2 at 10.0.0.2:7400")
          .asRuntimeException(trailers));
    }

    @Override
    public void getStatus(GetStatusRequest request, StreamObserver<ClusterStatus> out) {
      out.onNext(ClusterStatus.newBuilder().setCluster("c").setLeader("s1").setEpoch(42)
          .addHosts(HostSummary.newBuilder().setName("h1").setMode(HostMode.HOST_MODE_QUARANTINE)
              .setPower(PowerState.POWER_ON).addNotes("temperature 93C > evacuateC 90C"))
          .addMigrations(MigrationRecord.newBuilder().setStatus(STATUS).setReason("evacuate-temperature"))
          .build());
      out.onCompleted();
    }
  }
}
