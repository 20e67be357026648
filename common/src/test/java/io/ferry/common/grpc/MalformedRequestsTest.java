package io.ferry.common.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.common.testing.RawGrpc;
import io.ferry.common.tls.TlsMaterial;
import io.ferry.v1.GetInventoryRequest;
import io.ferry.v1.HostAgentGrpc;
import io.ferry.v1.HostFacts;
import io.ferry.v1.Inventory;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MalformedRequestsTest {
  private Server server;
  private ManagedChannel channel;

  @AfterEach
  void stop() {
    GrpcServers.shutdown(channel);
    GrpcServers.shutdown(server);
  }

  @Test
  void bytesThatAreNoRequestAreRefusedByNameAndTheServerGoesOn() {
    server = GrpcServers.start("test", "127.0.0.1", 0, TlsMaterial.insecurePlainText(), List.of(
        new HostAgentGrpc.HostAgentImplBase() {
          @Override
          public void getInventory(GetInventoryRequest request, StreamObserver<Inventory> out) {
            out.onNext(Inventory.newBuilder().setFacts(HostFacts.newBuilder().setName("h1")).build());
            out.onCompleted();
          }
        }));
    channel = GrpcServers.channel("127.0.0.1:" + server.getPort(), TlsMaterial.insecurePlainText());
    byte[] garbage = {0x0a, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f, 0x01};

    assertThatThrownBy(() -> RawGrpc.call(channel, "ferry.v1.HostAgent/GetInventory", garbage))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription())
              .contains("ferry.v1.HostAgent/GetInventory: the request is not a valid GetInventoryRequest");
        });
    assertThat(HostAgentGrpc.newBlockingStub(channel).getInventory(GetInventoryRequest.getDefaultInstance())
        .getFacts().getName()).isEqualTo("h1");
  }
}
