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
  private final AutoCloseable lender;
  private final int wireBytes;

  ReceivedChunk(TransferChunk fields, List<ByteBuffer> lentPayload, AutoCloseable lender, int wireBytes) {
    this.chunk = fields;
    this.lentPayload = lentPayload;
    this.lender = lender;
    this.wireBytes = wireBytes;
  }

  /**
   * A chunk read in place from {@code frame} (its serialized bytes, in one or more buffers); {@code release} returns
   * them once the chunk was applied. A message this version cannot read in place is parsed (a copy) instead.
   */
  public static ReceivedChunk lent(List<ByteBuffer> frame, int wireBytes, Runnable release) {
    ChunkWireReader.Parsed p = ChunkWireReader.read(frame);
    if (p != null) {
      return new ReceivedChunk(p.fields(), p.payload(), release::run, wireBytes);
    }
    try {
      com.google.protobuf.CodedInputStream in = frame.size() == 1
          ? com.google.protobuf.CodedInputStream.newInstance(frame.get(0).duplicate())
          : com.google.protobuf.CodedInputStream.newInstance(frame.stream().map(ByteBuffer::duplicate).toList());
      TransferChunk c = TransferChunk.parseFrom(in);
      return owned(c);
    } catch (IOException e) {
      throw new UncheckedIOException("malformed transfer chunk: " + e.getMessage(), e);
    } finally {
      if (p == null) {
        release.run();
      }
    }
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
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
