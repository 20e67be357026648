package io.ferry.common.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.common.FerryException;
import io.ferry.common.grpc.GrpcServers;
import io.ferry.common.testing.TestCerts;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MutualTlsTest {
  @TempDir
  Path tmp;
  private Server server;
  private TlsMaterial cluster;

  @BeforeEach
  void startServer() throws Exception {
    cluster = TestCerts.create(Files.createDirectories(tmp.resolve("cluster")), "cluster");
    server = GrpcServers.start("test", "127.0.0.1", 0, cluster, List.of());
  }

  @AfterEach
  void stop() {
    GrpcServers.shutdown(server);
  }

  private HealthCheckResponse.ServingStatus check(TlsMaterial client) {
    ManagedChannel ch = GrpcServers.channel("localhost:" + server.getPort(), client);
    try {
      return HealthGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)
          .check(HealthCheckRequest.getDefaultInstance()).getStatus();
    } finally {
      GrpcServers.shutdown(ch);
    }
  }

  @Test
  void acceptsClientWithCertificateFromClusterCa() {
    assertThat(check(cluster)).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
  }

  @Test
  void refusesClientWithCertificateFromAnotherCa() throws Exception {
    TlsMaterial foreign = TestCerts.create(Files.createDirectories(tmp.resolve("foreign")), "other");
    assertThatThrownBy(() -> check(foreign))
        .isInstanceOf(StatusRuntimeException.class)
        .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode())
            .isEqualTo(Status.Code.UNAVAILABLE));
  }

  @Test
  void refusesClientWithoutCertificate() throws Exception {
    ManagedChannel ch = Grpc.newChannelBuilder("localhost:" + server.getPort(),
        TlsChannelCredentials.newBuilder().trustManager(cluster.caCert().toFile()).build()).build();
    try {
      assertThatThrownBy(() -> HealthGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)
          .check(HealthCheckRequest.getDefaultInstance()))
          .isInstanceOf(StatusRuntimeException.class);
    } finally {
      GrpcServers.shutdown(ch);
    }
  }

  @Test
  void refusesPlainTextClient() {
    assertThatThrownBy(() -> check(TlsMaterial.insecurePlainText())).isInstanceOf(StatusRuntimeException.class);
  }

  @Test
  void missingCertificateDirectorySaysHowToCreateOne() {
    assertThatThrownBy(() -> TlsMaterial.fromDirectory(tmp.resolve("nope")))
        .isInstanceOf(FerryException.class)
        .hasMessageContaining("does not exist")
        .hasMessageContaining("ferry certs init");
  }

  @Test
  void unreadableCertificateIsNamed() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("broken"));
    TestCerts.create(dir, "c");
    Files.writeString(dir.resolve("node.crt"), "this is not a certificate");
    assertThatThrownBy(() -> TlsMaterial.fromDirectory(dir))
        .isInstanceOf(FerryException.class)
        .hasMessageContaining("node.crt")
        .hasMessageContaining("not PEM");
  }

  @Test
  void portInUseIsReportedClearly() {
    assertThatThrownBy(() -> GrpcServers.start("second", "127.0.0.1", server.getPort(), cluster, List.of()))
        .isInstanceOf(FerryException.class)
        .hasMessageContaining("port " + server.getPort())
        .hasMessageContaining("already in use");
  }
}
