package io.ferry.hostagent.migration.codec;

import com.github.luben.zstd.Zstd;
import io.ferry.v1.Encoding;
import java.util.Locale;

/** Optional payload compression of raw page runs: {@code none} or {@code zstd} (level 1: speed over ratio). */
public enum Compression {
  NONE, ZSTD;

  public static Compression parse(String s) {
    if (s == null || s.isBlank() || s.equalsIgnoreCase("none")) {
      return NONE;
    }
    return switch (s.toLowerCase(Locale.ROOT)) {
      case "zstd" -> ZSTD;
      default -> throw new IllegalArgumentException("unsupported migration compression '" + s
          + "': use none or zstd");
    };
  }

  Encoding encoding() {
    return this == ZSTD ? Encoding.ZSTD : Encoding.RAW;
  }

  /** The compressed bytes, or {@code null} when compression is off or does not make the payload smaller. */
  byte[] compress(byte[] raw, int length) {
    if (this == NONE) {
      return null;
    }
    byte[] in = length == raw.length ? raw : java.util.Arrays.copyOf(raw, length);
    byte[] out = Zstd.compress(in, 1);
    return out.length < length ? out : null;
  }

  static byte[] decompress(Encoding encoding, byte[] payload, int decodedLength) {
    if (encoding != Encoding.ZSTD) {
      throw new IllegalArgumentException("encoding " + encoding + " is not supported by this agent");
    }
    byte[] out = Zstd.decompress(payload, decodedLength);
    if (out.length != decodedLength) {
      throw new IllegalArgumentException("zstd payload decoded to " + out.length + " bytes, expected "
          + decodedLength);
    }
    return out;
  }
}
