package io.ferry.hostagent.migration.codec;

import com.google.protobuf.UnsafeByteOperations;
import io.ferry.hostagent.hypervisor.DirtyBitmap;
import io.ferry.v1.Encoding;
import io.ferry.v1.TransferChunk;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Source side: turns a batch of dirty units (ascending indexes) into transfer chunks. Zero units the destination
 * cannot hold non-zero are skipped, other zero runs travel as payload-less {@code ZERO} chunks; a page sent before is
 * delta-encoded against the cached copy when that is smaller; the rest goes as contiguous runs, compressed when
 * configured and worth it. Every chunk carries the CRC32C of its decoded bytes. Sequence and stream are set by the
 * sender. Thread-safe when each thread encodes different units.
 */
public final class ChunkEncoder {
  private final UnitStore store;
  private final Compression compression;
  private final XbzrleCache cache;
  private final DirtyBitmap holdsData;
  private final EncodeCounters counters;

  /**
   * @param cache previous copies for delta encoding, or {@code null} to send re-dirtied units whole
   * @param holdsData units the destination may hold non-zero data for (maintained here)
   */
  public ChunkEncoder(UnitStore store, Compression compression, XbzrleCache cache, DirtyBitmap holdsData,
                      EncodeCounters counters) {
    this.store = store;
    this.compression = compression;
    this.cache = cache;
    this.holdsData = holdsData;
    this.counters = counters;
  }

  public UnitStore store() {
    return store;
  }

  /**
   * Encodes {@code n} units; with {@code placeZeros} zero units are always sent (post-copy: the destination must
   * learn that a missing page is zero).
   */
  public List<TransferChunk.Builder> encode(long[] units, int n, int round, boolean placeZeros) {
    return encode(units, n, round, placeZeros, new byte[n * store.unitBytes()]);
  }

  /**
   * Like {@link #encode(long[], int, int, boolean)}, reading the units into {@code scratch} (at least
   * {@code n} units long): raw chunks wrap it, so send them before the next call with the same scratch.
   */
  public List<TransferChunk.Builder> encode(long[] units, int n, int round, boolean placeZeros, byte[] scratch) {
    int unit = store.unitBytes();
    if (scratch.length < n * unit) {
      throw new IllegalArgumentException("scratch of " + scratch.length + " bytes cannot hold " + n + " units");
    }
    byte[] buf = scratch;
    ByteBuffer bb = ByteBuffer.wrap(buf);
    for (int k = 0; k < n; k++) {
      store.read(units[k], bb);
    }
    boolean[] zero = new boolean[n];
    for (int k = 0; k < n; k++) {
      zero[k] = isZero(buf, k * unit, unit);
    }
    List<TransferChunk.Builder> chunks = new ArrayList<>();
    int i = 0;
    while (i < n) {
      if (zero[i]) {
        int j = runEnd(units, n, i, k -> zero[k]);
        i = zeroRun(units, i, j, round, placeZeros, chunks);
      } else if (deltaCandidate(units[i])) {
        i = delta(units[i], buf, i, round, chunks);
      } else {
        int j = runEnd(units, n, i, k -> !zero[k] && !deltaCandidate(units[k]));
        i = raw(units, buf, i, j, round, chunks);
      }
    }
    return chunks;
  }

  private boolean deltaCandidate(long index) {
    return cache != null && cache.get(index) != null;
  }

  private int zeroRun(long[] units, int i, int j, int round, boolean placeZeros, List<TransferChunk.Builder> out) {
    boolean needed = placeZeros;
    for (int k = i; k < j && !needed; k++) {
      needed = holdsData.get(units[k]);
    }
    if (!needed) {
      counters.zeroUnitsSkipped.add(j - i);
      return j;
    }
    for (int k = i; k < j; k++) {
      holdsData.clear(units[k]);
      if (cache != null) {
        cache.remove(units[k]);
      }
    }
    out.add(chunk(units[i], j - i, round, Encoding.ZERO).setChecksum(zeroCrc((j - i) * store.unitBytes())));
    return j;
  }

  private int delta(long index, byte[] buf, int i, int round, List<TransferChunk.Builder> out) {
    int unit = store.unitBytes();
    byte[] page = java.util.Arrays.copyOfRange(buf, i * unit, (i + 1) * unit);
    byte[] d = Xbzrle.encode(cache.get(index), page, unit * 3 / 4);
    cache.put(index, page);
    holdsData.set(index);
    if (d == null) {
      out.add(chunk(index, 1, round, Encoding.RAW).setPayload(UnsafeByteOperations.unsafeWrap(page))
          .setChecksum(Checksums.crc32c(page, 0, unit)));
      return i + 1;
    }
    counters.deltaUnits.increment();
    counters.deltaBytes.add(d.length);
    out.add(chunk(index, 1, round, Encoding.XBZRLE).setPayload(UnsafeByteOperations.unsafeWrap(d))
        .setChecksum(Checksums.crc32c(page, 0, unit)));
    return i + 1;
  }

  private int raw(long[] units, byte[] buf, int i, int j, int round, List<TransferChunk.Builder> out) {
    int unit = store.unitBytes();
    int off = i * unit;
    int len = (j - i) * unit;
    for (int k = i; k < j; k++) {
      holdsData.set(units[k]);
      if (cache != null && round >= 1) {
        cache.put(units[k], java.util.Arrays.copyOfRange(buf, k * unit, (k + 1) * unit));
      }
    }
    int crc = Checksums.crc32c(buf, off, len);
    byte[] packed = compression.compress(buf, off, len);
    TransferChunk.Builder c = chunk(units[i], j - i, round, packed == null ? Encoding.RAW : compression.encoding())
        .setChecksum(crc);
    c.setPayload(packed == null ? UnsafeByteOperations.unsafeWrap(buf, off, len)
        : UnsafeByteOperations.unsafeWrap(packed));
    out.add(c);
    return j;
  }

  private TransferChunk.Builder chunk(long first, int count, int round, Encoding encoding) {
    return TransferChunk.newBuilder().setKind(store.kind()).setDisk(store.disk()).setRound(round)
        .setFirstIndex(first).setCount(count).setEncoding(encoding);
  }

  private static int runEnd(long[] units, int n, int i, java.util.function.IntPredicate same) {
    int j = i + 1;
    while (j < n && units[j] == units[j - 1] + 1 && same.test(j)) {
      j++;
    }
    return j;
  }

  private static final byte[] ZEROS = new byte[1 << 16];

  static boolean isZero(byte[] b, int off, int len) {
    // Arrays.mismatch is a vectorised intrinsic: far faster than a byte loop
    for (int at = off; at < off + len; at += ZEROS.length) {
      int n = Math.min(ZEROS.length, off + len - at);
      if (java.util.Arrays.mismatch(b, at, at + n, ZEROS, 0, n) != -1) {
        return false;
      }
    }
    return true;
  }

  /** CRC32C of {@code length} zero bytes. */
  static int zeroCrc(int length) {
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    for (int left = length; left > 0; left -= ZEROS.length) {
      crc.update(ZEROS, 0, Math.min(left, ZEROS.length));
    }
    return (int) crc.getValue();
  }
}
