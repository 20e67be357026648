package io.ferry.hostagent.migration.transfer;

import io.ferry.v1.TransferChunk;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * A transfer chunk as the destination received it: its fields, and its payload either in the message or, when the
 * transport lent its buffers, as read-only views of them (no copy; protobuf would copy a payload held in direct
 * memory). Lent buffers are valid until {@link #close()}, which returns them; nothing may keep them beyond that.
 */
public final class ReceivedChunk implements AutoCloseable {
  private final TransferChunk chunk;
  private final List<ByteBuffer> lentPayload;
  private final InputStream lender;
  private final int wireBytes;

  ReceivedChunk(TransferChunk fields, List<ByteBuffer> lentPayload, InputStream lender, int wireBytes) {
    this.chunk = fields;
    this.lentPayload = lentPayload;
    this.lender = lender;
    this.wireBytes = wireBytes;
  }

  /** A chunk that holds its payload (in-process transports, a message with fields this version does not know). */
  public static ReceivedChunk owned(TransferChunk chunk) {
    return new ReceivedChunk(chunk, null, null, chunk.getSerializedSize());
  }

  /** The chunk's fields; its payload field is empty when the payload was lent (see {@link #payload()}). */
  public TransferChunk chunk() {
    return chunk;
  }

  /** The payload as consecutive read-only buffers. */
  public List<ByteBuffer> payload() {
    return lentPayload != null ? lentPayload : chunk.getPayload().asReadOnlyByteBufferList();
  }

  public int payloadBytes() {
    if (lentPayload == null) {
      return chunk.getPayload().size();
    }
    int n = 0;
    for (ByteBuffer b : lentPayload) {
      n += b.remaining();
    }
    return n;
  }

  /** Size of the serialized message. */
  public int wireBytes() {
    return wireBytes;
  }

  @Override
  public void close() {
    if (lender != null) {
      try {
        lender.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
