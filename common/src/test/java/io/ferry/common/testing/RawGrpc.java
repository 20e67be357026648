package io.ferry.common.testing;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;

/** Test kit: unary gRPC calls with bytes as they are, to send servers what no generated stub would. */
public final class RawGrpc {
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

  private RawGrpc() {}

  /** Calls {@code fullMethodName} (e.g. {@code ferry.v1.Admin/GetStatus}) with {@code body}; 5 s deadline. */
  public static byte[] call(Channel channel, String fullMethodName, byte[] body) {
    MethodDescriptor<byte[], byte[]> m = MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName(fullMethodName)
        .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
    return ClientCalls.blockingUnaryCall(channel, m, CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS),
        body);
  }
}
