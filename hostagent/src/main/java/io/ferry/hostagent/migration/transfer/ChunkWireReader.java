package io.ferry.hostagent.migration.transfer;

import com.google.protobuf.ByteString;
import io.ferry.v1.TransferChunk;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a serialized {@link TransferChunk} that arrived split over several buffers, leaving the payload where it
 * lies: as slices of those buffers, beside the other fields. protobuf copies every payload (it has no view of direct
 * memory). Only the fields this version knows, with their declared wire types, are read; anything else makes
 * {@link #read} return {@code null} so the caller parses the message the ordinary way.
 */
final class ChunkWireReader {
  private static final int VARINT = 0;
  private static final int FIXED32 = 5;
  private static final int LENGTH_DELIMITED = 2;

  private final List<ByteBuffer> buffers;
  private int index;
  private ByteBuffer current;
  private boolean truncated;

  private ChunkWireReader(List<ByteBuffer> buffers) {
    this.buffers = buffers;
  }

  /** A chunk's fields (payload left empty) and its payload as slices of the buffers it was read from. */
  record Parsed(TransferChunk fields, List<ByteBuffer> payload) {}

  /** The chunk, or {@code null} when the bytes hold something this reader does not handle. */
  static Parsed read(List<ByteBuffer> buffers) {
    return new ChunkWireReader(buffers).read();
  }

  private Parsed read() {
    TransferChunk.Builder b = TransferChunk.newBuilder();
    List<ByteBuffer> payload = List.of();
    while (remaining()) {
      long tag = varint();
      if (tag < 0) {
        return null;
      }
      int field = (int) (tag >>> 3);
      int wire = (int) (tag & 7);
      if (wire != wireTypeOf(field)) {
        return null;
      }
      switch (field) {
        case 1 -> {
          List<ByteBuffer> id = bytes();
          if (id == null) {
            return null;
          }
          ByteString utf8 = ByteString.copyFrom(gather(id));
          if (!utf8.isValidUtf8()) {
            return null;
          }
          b.setMigrationId(utf8.toStringUtf8());
        }
        case 2 -> b.setSequence(varint());
        case 3 -> b.setStream((int) varint());
        case 4 -> b.setKindValue((int) varint());
        case 5 -> b.setRound((int) varint());
        case 6 -> b.setFirstIndex(varint());
        case 7 -> b.setCount((int) varint());
        case 8 -> b.setEncodingValue((int) varint());
        case 9 -> {
          payload = bytes();
          if (payload == null) {
            return null;
          }
        }
        case 10 -> b.setChecksum(fixed32());
        case 11 -> b.setDisk((int) varint());
        default -> {
          return null;
        }
      }
      if (truncated) {
        return null;
      }
    }
    return new Parsed(b.build(), payload);
  }

  private static int wireTypeOf(int field) {
    return switch (field) {
      case 1, 9 -> LENGTH_DELIMITED;
      case 10 -> FIXED32;
      default -> VARINT;
    };
  }

  private boolean remaining() {
    while (current == null || !current.hasRemaining()) {
      if (index == buffers.size()) {
        return false;
      }
      current = buffers.get(index++).duplicate();
    }
    return true;
  }

  private int nextByte() {
    if (!remaining()) {
      truncated = true;
      return 0;
    }
    return current.get() & 0xff;
  }

  private long varint() {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = nextByte();
      v |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return v;
      }
    }
    truncated = true;
    return 0;
  }

  private int fixed32() {
    return nextByte() | nextByte() << 8 | nextByte() << 16 | nextByte() << 24;
  }

  /** The next length-delimited field as read-only slices of the buffers, or {@code null} if it runs past their end. */
  private List<ByteBuffer> bytes() {
    long length = varint();
    if (truncated || length < 0 || length > Integer.MAX_VALUE) {
      return null;
    }
    List<ByteBuffer> parts = new ArrayList<>();
    long left = length;
    while (left > 0) {
      if (!remaining()) {
        return null;
      }
      int n = (int) Math.min(left, current.remaining());
      parts.add(current.slice(current.position(), n).asReadOnlyBuffer());
      current.position(current.position() + n);
      left -= n;
    }
    return parts;
  }

  private static byte[] gather(List<ByteBuffer> parts) {
    int n = 0;
    for (ByteBuffer p : parts) {
      n += p.remaining();
    }
    ByteBuffer out = ByteBuffer.allocate(n);
    parts.forEach(p -> out.put(p.duplicate()));
    return out.array();
  }
}
