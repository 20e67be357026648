package io.ferry.common.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.common.tls.TlsMaterial;
import io.ferry.v1.GetInventoryRequest;
import io.ferry.v1.HostAgentGrpc;
import io.ferry.v1.HostFacts;
import io.ferry.v1.Inventory;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
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

  private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  };

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
    MethodDescriptor<byte[], byte[]> raw = MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName("ferry.v1.HostAgent/GetInventory")
        .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
    byte[] garbage = {0x0a, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f, 0x01};

    assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, raw, CallOptions.DEFAULT, garbage))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription())
              .contains("ferry.v1.HostAgent/GetInventory: the request is not a valid GetInventoryRequest");
        });
    assertThat(HostAgentGrpc.newBlockingStub(channel).getInventory(GetInventoryRequest.getDefaultInstance())
        .getFacts().getName()).isEqualTo("h1");
  }
}
