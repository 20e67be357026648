package io.ferry.hostagent.migration.codec;

import io.ferry.v1.TransferChunk;
import java.nio.ByteBuffer;

/**
 * Destination side: checks a chunk (bounds, payload size, CRC32C of the decoded bytes) and writes its units.
 * Returns a problem description instead of writing anything when the chunk is not sound.
 */
public final class ChunkDecoder {
  private ChunkDecoder() {}

  /** What applying one chunk did. */
  public record Applied(String problem, int unitsWritten) {
    public boolean ok() {
      return problem == null;
    }
  }

  public static Applied apply(TransferChunk c, UnitStore store) {
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
    ByteBuffer src;
    try {
      src = decode(c, store, decodedLength);
    } catch (IllegalArgumentException e) {
      return problem(c, e.getMessage());
    }
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(src.duplicate());
    if ((int) crc.getValue() != c.getChecksum()) {
      return problem(c, "failed its CRC32C check (corrupted in transit)");
    }
    int written = 0;
    for (int k = 0; k < c.getCount(); k++) {
      if (store.write(c.getFirstIndex() + k, src)) {
        written++;
      }
    }
    return new Applied(null, written);
  }

  /** The decoded bytes; RAW payloads are read in place, without a copy. */
  private static ByteBuffer decode(TransferChunk c, UnitStore store, int decodedLength) {
    return switch (c.getEncoding()) {
      case RAW -> {
        if (c.getPayload().size() != decodedLength) {
          throw new IllegalArgumentException("RAW payload has " + c.getPayload().size() + " bytes, expected "
              + decodedLength);
        }
        yield c.getPayload().asReadOnlyByteBuffer();
      }
      case ZERO -> {
        if (!c.getPayload().isEmpty()) {
          throw new IllegalArgumentException("ZERO chunk carries a payload");
        }
        yield ByteBuffer.allocate(decodedLength);
      }
      case XBZRLE -> {
        if (c.getCount() != 1) {
          throw new IllegalArgumentException("XBZRLE chunk must hold exactly one page");
        }
        byte[] page = new byte[decodedLength];
        store.read(c.getFirstIndex(), ByteBuffer.wrap(page));
        Xbzrle.decode(c.getPayload().toByteArray(), page);
        yield ByteBuffer.wrap(page);
      }
      case ZSTD, LZ4 -> ByteBuffer.wrap(Compression.decompress(c.getEncoding(), c.getPayload().toByteArray(),
          decodedLength));
      default -> throw new IllegalArgumentException("unknown encoding " + c.getEncoding());
    };
  }

  private static Applied problem(TransferChunk c, String what) {
    return new Applied(c.getKind() + " chunk " + c.getSequence() + " of stream " + c.getStream() + " " + what, 0);
  }
}
