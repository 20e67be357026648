package io.ferry.hostagent.migration.codec;

import com.github.luben.zstd.Zstd;
import io.ferry.v1.Encoding;
import java.util.Locale;

/**
 * Optional payload compression of raw page runs: {@code none}, {@code lz4} (fastest) or {@code zstd} (level 1:
 * speed over ratio). Used only when it makes a chunk smaller.
 */
public enum Compression {
  NONE, LZ4, ZSTD;

  private static final net.jpountz.lz4.LZ4Factory LZ4_FACTORY = net.jpountz.lz4.LZ4Factory.fastestInstance();

  public static Compression parse(String s) {
    if (s == null || s.isBlank() || s.equalsIgnoreCase("none")) {
      return NONE;
    }
    return switch (s.toLowerCase(Locale.ROOT)) {
      case "zstd" -> ZSTD;
      case "lz4" -> LZ4;
      default -> throw new IllegalArgumentException("unsupported migration compression '" + s
          + "': use none, lz4 or zstd");
    };
  }

  Encoding encoding() {
    return switch (this) {
      case ZSTD -> Encoding.ZSTD;
      case LZ4 -> Encoding.LZ4;
      case NONE -> Encoding.RAW;
    };
  }

  /** The compressed bytes, or {@code null} when compression is off or does not make the payload smaller. */
  byte[] compress(byte[] raw, int offset, int length) {
    if (this == NONE) {
      return null;
    }
    byte[] out;
    if (this == LZ4) {
      out = LZ4_FACTORY.fastCompressor().compress(raw, offset, length);
    } else {
      out = Zstd.compress(offset == 0 && length == raw.length ? raw
          : java.util.Arrays.copyOfRange(raw, offset, offset + length), 1);
    }
    return out.length < length ? out : null;
  }

  static byte[] decompress(Encoding encoding, byte[] payload, int decodedLength) {
    byte[] out;
    if (encoding == Encoding.LZ4) {
      try {
        out = LZ4_FACTORY.safeDecompressor().decompress(payload, decodedLength);
      } catch (net.jpountz.lz4.LZ4Exception e) {
        throw new IllegalArgumentException("malformed LZ4 payload: " + e.getMessage(), e);
      }
    } else if (encoding == Encoding.ZSTD) {
      try {
        out = Zstd.decompress(payload, decodedLength);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("malformed zstd payload: " + e.getMessage(), e);
      }
    } else {
      throw new IllegalArgumentException("encoding " + encoding + " is not supported by this agent");
    }
    if (out.length != decodedLength) {
      throw new IllegalArgumentException(encoding + " payload decoded to " + out.length + " bytes, expected "
          + decodedLength);
    }
    return out;
  }
}
