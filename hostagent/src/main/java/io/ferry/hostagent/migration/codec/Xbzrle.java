package io.ferry.hostagent.migration.codec;

import java.io.ByteArrayOutputStream;

/**
 * XBZRLE-style delta of a re-sent page against the copy the destination already holds: the XOR of old and new,
 * written as pairs {@code (unchanged run length, changed run length, changed bytes XOR old)} with varint lengths.
 */
public final class Xbzrle {
  private Xbzrle() {}

  /** The delta from {@code previous} to {@code current}, or {@code null} when it would reach {@code limitBytes}. */
  public static byte[] encode(byte[] previous, byte[] current, int limitBytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    int n = current.length;
    int i = 0;
    while (i < n) {
      int start = i;
      while (i < n && previous[i] == current[i]) {
        i++;
      }
      if (i == n) {
        break;
      }
      int zeroRun = i - start;
      int changedStart = i;
      // a short equal stretch inside a changed run costs less than a new pair
      while (i < n && (previous[i] != current[i] || (i + 1 < n && previous[i + 1] != current[i + 1]))) {
        i++;
      }
      writeVarint(out, zeroRun);
      writeVarint(out, i - changedStart);
      for (int k = changedStart; k < i; k++) {
        out.write(previous[k] ^ current[k]);
      }
      if (out.size() >= limitBytes) {
        return null;
      }
    }
    return out.toByteArray();
  }

  /** Applies {@code delta} to {@code page} in place. Throws {@link IllegalArgumentException} on malformed input. */
  public static void decode(byte[] delta, byte[] page) {
    int[] pos = {0};
    int at = 0;
    while (pos[0] < delta.length) {
      at += readVarint(delta, pos);
      int len = readVarint(delta, pos);
      if (at + len > page.length || pos[0] + len > delta.length) {
        throw new IllegalArgumentException("XBZRLE delta runs past the page");
      }
      for (int k = 0; k < len; k++) {
        page[at + k] ^= delta[pos[0] + k];
      }
      pos[0] += len;
      at += len;
    }
  }

  private static void writeVarint(ByteArrayOutputStream out, int v) {
    while ((v & ~0x7F) != 0) {
      out.write((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    out.write(v);
  }

  private static int readVarint(byte[] in, int[] pos) {
    int v = 0;
    for (int shift = 0; shift < 32; shift += 7) {
      if (pos[0] >= in.length) {
        throw new IllegalArgumentException("truncated XBZRLE delta");
      }
      int b = in[pos[0]++];
      v |= (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return v;
      }
    }
    throw new IllegalArgumentException("malformed varint in XBZRLE delta");
  }
}
