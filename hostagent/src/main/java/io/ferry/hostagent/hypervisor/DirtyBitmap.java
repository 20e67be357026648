package io.ferry.hostagent.hypervisor;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A fixed-size bitmap safe for concurrent setters (guest vCPUs) and one consumer taking snapshots (the migration
 * engine). Setting is lock-free; a snapshot atomically swaps each word with zero, so no write is lost between
 * rounds.
 */
public final class DirtyBitmap {
  private final long size;
  private final AtomicLongArray words;

  public DirtyBitmap(long size) {
    if (size < 0 || (size + 63) / 64 > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("bitmap size out of range: " + size);
    }
    this.size = size;
    this.words = new AtomicLongArray((int) ((size + 63) / 64));
  }

  public long size() {
    return size;
  }

  /** Sets bit {@code i}; returns true when it was clear. */
  public boolean set(long i) {
    int w = word(i);
    long mask = 1L << i;
    long old = words.get(w);
    if ((old & mask) != 0) {
      return false;
    }
    return (words.getAndAccumulate(w, mask, (a, b) -> a | b) & mask) == 0;
  }

  /** Clears bit {@code i}; returns true when it was set. */
  public boolean clear(long i) {
    int w = word(i);
    long mask = 1L << i;
    return (words.getAndAccumulate(w, ~mask, (a, b) -> a & b) & mask) != 0;
  }

  public boolean get(long i) {
    return (words.get(word(i)) & (1L << i)) != 0;
  }

  /** Sets every bit. */
  public void setAll() {
    for (int w = 0; w < words.length(); w++) {
      long bits = w == words.length() - 1 && size % 64 != 0 ? (1L << (size % 64)) - 1 : -1L;
      words.getAndAccumulate(w, bits, (a, b) -> a | b);
    }
  }

  /** A copy of the current bits, clearing them here atomically word by word. */
  public DirtyBitmap snapshotAndClear() {
    DirtyBitmap copy = new DirtyBitmap(size);
    for (int w = 0; w < words.length(); w++) {
      if (words.get(w) != 0) {
        copy.words.set(w, words.getAndSet(w, 0));
      }
    }
    return copy;
  }

  /** Adds every bit set in {@code other} (same size). */
  public void or(DirtyBitmap other) {
    for (int w = 0; w < words.length(); w++) {
      long bits = other.words.get(w);
      if (bits != 0) {
        words.getAndAccumulate(w, bits, (a, b) -> a | b);
      }
    }
  }

  public long cardinality() {
    long n = 0;
    for (int w = 0; w < words.length(); w++) {
      n += Long.bitCount(words.get(w));
    }
    return n;
  }

  /** The first set bit at or after {@code from}, or -1. */
  public long nextSetBit(long from) {
    if (from >= size) {
      return -1;
    }
    int w = word(from);
    long bits = words.get(w) & (-1L << from);
    while (true) {
      if (bits != 0) {
        long i = (long) w * 64 + Long.numberOfTrailingZeros(bits);
        return i < size ? i : -1;
      }
      if (++w >= words.length()) {
        return -1;
      }
      bits = words.get(w);
    }
  }

  /** Little-endian bytes: bit i is bit (i % 8) of byte i / 8. */
  public byte[] toByteArray() {
    byte[] out = new byte[(int) ((size + 7) / 8)];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) (words.get(i >>> 3) >>> ((i & 7) * 8));
    }
    return out;
  }

  /** The inverse of {@link #toByteArray()}. */
  public static DirtyBitmap fromByteArray(byte[] bytes, long size) {
    if (bytes.length != (size + 7) / 8) {
      throw new IllegalArgumentException("bitmap of " + bytes.length + " bytes cannot hold exactly " + size + " bits");
    }
    DirtyBitmap b = new DirtyBitmap(size);
    for (int i = 0; i < bytes.length; i++) {
      long v = (bytes[i] & 0xFFL) << ((i & 7) * 8);
      if (v != 0) {
        b.words.getAndAccumulate(i >>> 3, v, (x, y) -> x | y);
      }
    }
    return b;
  }

  private int word(long i) {
    if (i < 0 || i >= size) {
      throw new IndexOutOfBoundsException("bit " + i + " outside bitmap of " + size);
    }
    return (int) (i >>> 6);
  }
}
