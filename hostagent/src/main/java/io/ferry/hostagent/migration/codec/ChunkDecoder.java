package io.ferry.hostagent.migration.codec;

import io.ferry.v1.TransferChunk;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Destination side: checks a chunk (bounds, payload size, CRC32C of the decoded bytes) and writes its units.
 * Returns a problem description instead of writing anything when the chunk is not sound.
 */
public final class ChunkDecoder {
  private static final ByteBuffer ZERO_UNIT = ByteBuffer.allocateDirect(64 << 10).asReadOnlyBuffer();

  private ChunkDecoder() {}

  /** What applying one chunk did. */
  public record Applied(String problem, int unitsWritten) {
    public boolean ok() {
      return problem == null;
    }
  }

  public static Applied apply(TransferChunk c, UnitStore store) {
    return apply(c, c.getPayload().asReadOnlyByteBufferList(), store);
  }

  /** Applies a chunk whose payload is {@code payload} (consecutive buffers) rather than its payload field. */
  public static Applied apply(TransferChunk c, List<ByteBuffer> payload, UnitStore store) {
    int unit = store.unitBytes();
    if (c.getCount() <= 0 || c.getFirstIndex() < 0 || c.getFirstIndex() + c.getCount() > store.unitCount()) {
      return problem(c, "covers units " + c.getFirstIndex() + "+" + c.getCount() + " outside 0.."
          + store.unitCount());
    }
    long decodedLong = (long) c.getCount() * unit;
    if (decodedLong > Integer.MAX_VALUE) {
      return problem(c, "is too large");
    }
    int decodedLength = (int) decodedLong;
    List<ByteBuffer> src;
    int crc;
    try {
      src = decode(c, payload, store, decodedLength);
      crc = c.getEncoding() == io.ferry.v1.Encoding.ZERO ? ChunkEncoder.zeroCrc(decodedLength) : crc32c(src);
    } catch (IllegalArgumentException e) {
      return problem(c, e.getMessage());
    }
    if (crc != c.getChecksum()) {
      return problem(c, "failed its CRC32C check (corrupted in transit)");
    }
    return new Applied(null, write(c, store, src));
  }

  /**
   * The decoded bytes as consecutive buffers; RAW payloads are read where they lie (the transport's buffers when
   * the chunk was received in place), without a copy.
   */
  private static List<ByteBuffer> decode(TransferChunk c, List<ByteBuffer> payload, UnitStore store,
                                         int decodedLength) {
    int payloadBytes = 0;
    for (ByteBuffer b : payload) {
      payloadBytes += b.remaining();
    }
    return switch (c.getEncoding()) {
      case RAW -> {
        if (payloadBytes != decodedLength) {
          throw new IllegalArgumentException("RAW payload has " + payloadBytes + " bytes, expected " + decodedLength);
        }
        yield payload;
      }
      case ZERO -> {
        if (payloadBytes != 0) {
          throw new IllegalArgumentException("ZERO chunk carries a payload");
        }
        yield List.of();
      }
      case XBZRLE -> {
        if (c.getCount() != 1) {
          throw new IllegalArgumentException("XBZRLE chunk must hold exactly one page");
        }
        byte[] page = new byte[decodedLength];
        store.read(c.getFirstIndex(), ByteBuffer.wrap(page));
        Xbzrle.decode(gather(payload, payloadBytes), page);
        yield List.of(ByteBuffer.wrap(page));
      }
      case ZSTD, LZ4 -> List.of(ByteBuffer.wrap(Compression.decompress(c.getEncoding(),
          gather(payload, payloadBytes), decodedLength)));
      default -> throw new IllegalArgumentException("unknown encoding " + c.getEncoding());
    };
  }

  private static byte[] gather(List<ByteBuffer> buffers, int bytes) {
    ByteBuffer out = ByteBuffer.allocate(bytes);
    buffers.forEach(b -> out.put(b.duplicate()));
    return out.array();
  }

  private static int crc32c(List<ByteBuffer> buffers) {
    CRC32C crc = new CRC32C();
    for (ByteBuffer b : buffers) {
      crc.update(b.duplicate());
    }
    return (int) crc.getValue();
  }

  /** Writes the units in order; a unit split between two buffers is gathered in a scratch buffer first. */
  private static int write(TransferChunk c, UnitStore store, List<ByteBuffer> src) {
    int unit = store.unitBytes();
    int written = 0;
    int next = 0;
    ByteBuffer current = null;
    ByteBuffer gathered = null;
    for (int k = 0; k < c.getCount(); k++) {
      ByteBuffer from;
      if (c.getEncoding() == io.ferry.v1.Encoding.ZERO) {
        from = zeros(unit);
      } else {
        while (current == null || !current.hasRemaining()) {
          current = src.get(next++).duplicate();
        }
        if (current.remaining() >= unit) {
          from = current;
        } else {
          gathered = gathered == null ? ByteBuffer.allocate(unit) : gathered.clear();
          while (gathered.hasRemaining()) {
            while (!current.hasRemaining()) {
              current = src.get(next++).duplicate();
            }
            int n = Math.min(gathered.remaining(), current.remaining());
            gathered.put(gathered.position(), current, current.position(), n);
            gathered.position(gathered.position() + n);
            current.position(current.position() + n);
          }
          from = gathered.flip();
        }
      }
      if (store.write(c.getFirstIndex() + k, from)) {
        written++;
      }
    }
    return written;
  }

  private static ByteBuffer zeros(int unit) {
    return unit <= ZERO_UNIT.capacity() ? ZERO_UNIT.duplicate().limit(unit) : ByteBuffer.allocate(unit);
  }

  private static Applied problem(TransferChunk c, String what) {
    return new Applied(c.getKind() + " chunk " + c.getSequence() + " of stream " + c.getStream() + " " + what, 0);
  }
}
