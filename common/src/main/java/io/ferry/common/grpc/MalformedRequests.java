package io.ferry.common.grpc;

import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import java.io.InputStream;

/**
 * Answers a request that is not a valid message of its method with {@code INVALID_ARGUMENT} naming the method and
 * the expected message. gRPC alone parses requests before any service code runs and answers a parse failure with
 * {@code UNKNOWN "Application error processing RPC"} and a stack trace in the server's log: no clear word to the
 * client, noise for the operator. Here each method receives the request's stream as it is and parses it itself
 * (the same parse, no extra copy).
 */
final class MalformedRequests {
  private static final MethodDescriptor.Marshaller<InputStream> STREAM = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(InputStream value) {
      return value;
    }

    @Override
    public InputStream parse(InputStream stream) {
      return stream;
    }
  };

  private MalformedRequests() {}

  static ServerServiceDefinition guard(ServerServiceDefinition service) {
    ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(service.getServiceDescriptor().getName());
    for (ServerMethodDefinition<?, ?> m : service.getMethods()) {
      b.addMethod(guard(m));
    }
    return b.build();
  }

  private static <Q, R> ServerMethodDefinition<InputStream, R> guard(ServerMethodDefinition<Q, R> m) {
    MethodDescriptor<Q, R> typed = m.getMethodDescriptor();
    MethodDescriptor<InputStream, R> raw = typed.toBuilder(STREAM, typed.getResponseMarshaller()).build();
    ServerCallHandler<InputStream, R> handler = (call, headers) -> {
      ServerCall.Listener<Q> inner = m.getServerCallHandler().startCall(new TypedCall<>(call, typed), headers);
      return new ServerCall.Listener<>() {
        private boolean refused;

        @Override
        public void onMessage(InputStream message) {
          if (refused) {
            return;
          }
          Q parsed;
          try {
            parsed = typed.parseRequest(message);
          } catch (RuntimeException e) {
            refused = true;
            call.close(Status.INVALID_ARGUMENT.withDescription(typed.getFullMethodName() + ": the request is not a"
                + " valid " + typeName(typed) + " (" + cause(e) + ")"), new Metadata());
            return;
          }
          inner.onMessage(parsed);
        }

        @Override
        public void onHalfClose() {
          if (!refused) {
            inner.onHalfClose();
          }
        }

        @Override
        public void onCancel() {
          inner.onCancel();
        }

        @Override
        public void onComplete() {
          inner.onComplete();
        }

        @Override
        public void onReady() {
          if (!refused) {
            inner.onReady();
          }
        }
      };
    };
    return ServerMethodDefinition.create(raw, handler);
  }

  private static String typeName(MethodDescriptor<?, ?> m) {
    if (m.getRequestMarshaller() instanceof MethodDescriptor.ReflectableMarshaller<?> r) {
      return r.getMessageClass().getSimpleName();
    }
    return "request message";
  }

  private static String cause(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    String msg = root.getMessage() != null ? root.getMessage() : e.getMessage();
    return msg == null ? e.getClass().getSimpleName() : msg;
  }

  /** The call as the service's own code sees it: typed method, same stream. */
  private static final class TypedCall<Q, R> extends ServerCall<Q, R> {
    private final ServerCall<InputStream, R> call;
    private final MethodDescriptor<Q, R> method;

    TypedCall(ServerCall<InputStream, R> call, MethodDescriptor<Q, R> method) {
      this.call = call;
      this.method = method;
    }

    @Override
    public void request(int numMessages) {
      call.request(numMessages);
    }

    @Override
    public void sendHeaders(Metadata headers) {
      call.sendHeaders(headers);
    }

    @Override
    public void sendMessage(R message) {
      call.sendMessage(message);
    }

    @Override
    public void close(Status status, Metadata trailers) {
      call.close(status, trailers);
    }

    @Override
    public boolean isCancelled() {
      return call.isCancelled();
    }

    @Override
    public boolean isReady() {
      return call.isReady();
    }

    @Override
    public void setMessageCompression(boolean enabled) {
      call.setMessageCompression(enabled);
    }

    @Override
    public void setCompression(String compressor) {
      call.setCompression(compressor);
    }

    @Override
    public Attributes getAttributes() {
      return call.getAttributes();
    }

    @Override
    public String getAuthority() {
      return call.getAuthority();
    }

    @Override
    public MethodDescriptor<Q, R> getMethodDescriptor() {
      return method;
    }
  }
}
