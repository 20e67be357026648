package io.ferry.hostagent.migration.transfer;

import io.ferry.v1.MigrationPeerGrpc;
import io.ferry.v1.TransferAck;
import io.ferry.v1.TransferChunk;
import io.grpc.Detachable;
import io.grpc.HasByteBuffer;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The destination's {@code MigrationPeer.Transfer} without the two payload copies of the generated binding (stream
 * to array, array to message): chunks are read where the transport received them ({@link ChunkWireReader}), as
 * {@link ReceivedChunk}s whose payload stays in the transport's buffers until the receiver closes them. The wire
 * format is unchanged.
 */
public final class InPlaceTransfer {
  private static final MethodDescriptor.Marshaller<TransferChunk> PLAIN =
      ProtoUtils.marshaller(TransferChunk.getDefaultInstance());

  private InPlaceTransfer() {}

  /**
   * {@code generated} (a {@code MigrationPeer} binding) with its Transfer method replaced by one that hands
   * {@code receiver} in-place chunks.
   */
  public static ServerServiceDefinition rebind(ServerServiceDefinition generated,
                                               Function<StreamObserver<TransferAck>,
                                                   StreamObserver<ReceivedChunk>> receiver) {
    MethodDescriptor<TransferChunk, TransferAck> original = MigrationPeerGrpc.getTransferMethod();
    MethodDescriptor<ReceivedChunk, TransferAck> inPlace = original.toBuilder(new Marshaller(),
        original.getResponseMarshaller()).build();
    ServiceDescriptor old = generated.getServiceDescriptor();
    ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(old.getName())
        .setSchemaDescriptor(old.getSchemaDescriptor());
    List<ServerMethodDefinition<?, ?>> kept = new ArrayList<>();
    for (ServerMethodDefinition<?, ?> m : generated.getMethods()) {
      if (m.getMethodDescriptor().getFullMethodName().equals(original.getFullMethodName())) {
        descriptor.addMethod(inPlace);
      } else {
        descriptor.addMethod(m.getMethodDescriptor());
        kept.add(m);
      }
    }
    ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(descriptor.build());
    kept.forEach(b::addMethod);
    b.addMethod(inPlace, ServerCalls.asyncBidiStreamingCall(receiver::apply));
    return b.build();
  }

  /** Parses in place when the stream can lend its buffers, by copying otherwise. */
  static final class Marshaller implements MethodDescriptor.Marshaller<ReceivedChunk> {
    @Override
    public InputStream stream(ReceivedChunk value) {
      return PLAIN.stream(value.chunk());
    }

    @Override
    public ReceivedChunk parse(InputStream stream) {
      if (!(stream instanceof KnownLength && stream instanceof Detachable && stream instanceof HasByteBuffer
          && ((HasByteBuffer) stream).byteBufferSupported())) {
        return ReceivedChunk.owned(PLAIN.parse(stream));
      }
      InputStream lent = ((Detachable) stream).detach();
      try {
        int size = lent.available();
        // mark keeps the buffers already walked over, which the payload still refers to
        lent.mark(Integer.MAX_VALUE);
        List<ByteBuffer> buffers = new ArrayList<>();
        while (lent.available() > 0) {
          ByteBuffer b = ((HasByteBuffer) lent).getByteBuffer();
          buffers.add(b);
          lent.skip(b.remaining());
        }
        ChunkWireReader.Parsed parsed = ChunkWireReader.read(buffers);
        if (parsed != null) {
          return new ReceivedChunk(parsed.fields(), parsed.payload(), lent, size);
        }
        // fields this version does not know: the ordinary parser copies, and keeps them
        lent.reset();
        ReceivedChunk owned = ReceivedChunk.owned(PLAIN.parse(lent));
        lent.close();
        return owned;
      } catch (IOException e) {
        closeQuietly(lent);
        throw new UncheckedIOException(e);
      } catch (RuntimeException e) {
        closeQuietly(lent);
        throw e;
      }
    }

    private static void closeQuietly(InputStream s) {
      try {
        s.close();
      } catch (IOException | RuntimeException ignored) {
        // already failing: the first problem is the one to report
      }
    }
  }
}
