package io.ferry.hostagent.migration.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.ferry.hostagent.hypervisor.DirtyBitmap;
import io.ferry.v1.ChunkKind;
import io.ferry.v1.Encoding;
import io.ferry.v1.TransferChunk;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChunkCodecTest {
  /** An in-memory unit store of 16 pages. */
  static final class Pages implements UnitStore {
    final byte[][] pages = new byte[16][4096];

    @Override public ChunkKind kind() { return ChunkKind.RAM; }
    @Override public int disk() { return 0; }
    @Override public int unitBytes() { return 4096; }
    @Override public long unitCount() { return pages.length; }
    @Override public void read(long i, ByteBuffer dst) { dst.put(pages[(int) i]); }

    @Override
    public boolean write(long i, ByteBuffer src) {
      src.get(pages[(int) i]);
      return true;
    }
  }

  private static void sendAll(ChunkEncoder enc, Pages dst, long[] units, int round) {
    for (TransferChunk.Builder c : enc.encode(units, units.length, round, false)) {
      assertThat(ChunkDecoder.apply(c.build(), dst).ok()).isTrue();
    }
  }

  @Test
  void copiesPagesSkippingZerosThenDeltaEncodesRewrites() {
    Pages src = new Pages();
    new Random(1).nextBytes(src.pages[3]);
    new Random(2).nextBytes(src.pages[4]);
    EncodeCounters counters = new EncodeCounters();
    ChunkEncoder enc = new ChunkEncoder(src, Compression.NONE, new XbzrleCache(1 << 20), new DirtyBitmap(16),
        counters);
    Pages dst = new Pages();
    long[] all = java.util.stream.LongStream.range(0, 16).toArray();

    List<TransferChunk.Builder> round0 = enc.encode(all, 16, 0, false);
    round0.forEach(c -> assertThat(ChunkDecoder.apply(c.build(), dst).ok()).isTrue());
    assertThat(round0).singleElement().satisfies(c -> assertThat(c.getCount()).isEqualTo(2));
    assertThat(counters.zeroUnitsSkipped.sum()).isEqualTo(14);

    src.pages[3][100] ^= 1;
    sendAll(enc, dst, new long[] {3}, 1);
    src.pages[3][200] ^= 1;
    List<TransferChunk.Builder> round2 = enc.encode(new long[] {3}, 1, 2, false);
    assertThat(round2).singleElement().satisfies(c -> assertThat(c.getEncoding()).isEqualTo(Encoding.XBZRLE));
    round2.forEach(c -> assertThat(ChunkDecoder.apply(c.build(), dst).ok()).isTrue());

    java.util.Arrays.fill(src.pages[4], (byte) 0);
    sendAll(enc, dst, new long[] {4}, 3);
    for (int i = 0; i < 16; i++) {
      assertThat(dst.pages[i]).as("page " + i).isEqualTo(src.pages[i]);
    }
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.EnumSource(value = Compression.class, names = {"LZ4", "ZSTD"})
  void compressedPayloadRoundTrips(Compression compression) {
    Pages src = new Pages();
    java.util.Arrays.fill(src.pages[1], (byte) 'a');
    ChunkEncoder enc = new ChunkEncoder(src, compression, null, new DirtyBitmap(16), new EncodeCounters());
    Pages dst = new Pages();

    List<TransferChunk.Builder> chunks = enc.encode(new long[] {1}, 1, 0, false);

    assertThat(chunks).singleElement().satisfies(c -> assertThat(c.getEncoding()).isEqualTo(
        Encoding.valueOf(compression.name())));
    chunks.forEach(c -> assertThat(ChunkDecoder.apply(c.build(), dst).ok()).isTrue());
    assertThat(dst.pages[1]).isEqualTo(src.pages[1]);
  }

  @Test
  void rejectsCorruptedPayloadWithoutWriting() {
    Pages src = new Pages();
    new Random(3).nextBytes(src.pages[2]);
    ChunkEncoder enc = new ChunkEncoder(src, Compression.NONE, null, new DirtyBitmap(16), new EncodeCounters());
    TransferChunk c = enc.encode(new long[] {2}, 1, 0, false).get(0).build();
    byte[] bad = c.getPayload().toByteArray();
    bad[10] ^= 1;
    Pages dst = new Pages();

    ChunkDecoder.Applied applied = ChunkDecoder.apply(c.toBuilder().setPayload(ByteString.copyFrom(bad)).build(), dst);

    assertThat(applied.ok()).isFalse();
    assertThat(applied.problem()).contains("CRC32C");
    assertThat(dst.pages[2]).containsOnly(0);
  }

  /** The payload as the in-place receiver sees it: direct buffers of the transport that split pages anywhere. */
  private static List<ByteBuffer> scattered(ByteString payload, int... cuts) {
    List<ByteBuffer> parts = new java.util.ArrayList<>();
    int at = 0;
    for (int cut : java.util.stream.IntStream.concat(java.util.Arrays.stream(cuts),
        java.util.stream.IntStream.of(payload.size())).toArray()) {
      parts.add(ByteBuffer.allocateDirect(cut - at).put(payload.substring(at, cut).asReadOnlyByteBuffer()).flip());
      at = cut;
    }
    return parts;
  }

  @Test
  void writesPagesSplitAcrossTransportBuffers() {
    Pages src = new Pages();
    for (int i = 5; i < 8; i++) {
      new Random(i).nextBytes(src.pages[i]);
    }
    ChunkEncoder enc = new ChunkEncoder(src, Compression.NONE, null, new DirtyBitmap(16), new EncodeCounters());
    TransferChunk c = enc.encode(new long[] {5, 6, 7}, 3, 0, false).get(0).build();
    Pages dst = new Pages();

    ChunkDecoder.Applied applied = ChunkDecoder.apply(c.toBuilder().clearPayload().build(),
        scattered(c.getPayload(), 1000, 1001, 4096, 9000, 12000), dst);

    assertThat(applied.ok()).isTrue();
    assertThat(applied.unitsWritten()).isEqualTo(3);
    for (int i = 5; i < 8; i++) {
      assertThat(dst.pages[i]).as("page " + i).isEqualTo(src.pages[i]);
    }
  }

  @Test
  void rejectsCorruptionInAScatteredPayloadWithoutWriting() {
    Pages src = new Pages();
    new Random(9).nextBytes(src.pages[1]);
    new Random(10).nextBytes(src.pages[2]);
    ChunkEncoder enc = new ChunkEncoder(src, Compression.NONE, null, new DirtyBitmap(16), new EncodeCounters());
    TransferChunk c = enc.encode(new long[] {1, 2}, 2, 0, false).get(0).build();
    byte[] bad = c.getPayload().toByteArray();
    bad[8000] ^= 1;
    Pages dst = new Pages();

    ChunkDecoder.Applied applied = ChunkDecoder.apply(c.toBuilder().clearPayload().build(),
        scattered(ByteString.copyFrom(bad), 3000, 7000), dst);

    assertThat(applied.problem()).contains("CRC32C");
    assertThat(dst.pages[1]).containsOnly(0);
    assertThat(dst.pages[2]).containsOnly(0);
  }

  @Test
  void zeroChunkClearsPagesTheDestinationHeld() {
    Pages dst = new Pages();
    java.util.Arrays.fill(dst.pages[3], (byte) 7);
    TransferChunk c = TransferChunk.newBuilder().setKind(ChunkKind.RAM).setFirstIndex(3).setCount(1)
        .setEncoding(Encoding.ZERO).setChecksum(ChunkEncoder.zeroCrc(4096)).build();

    assertThat(ChunkDecoder.apply(c, dst).ok()).isTrue();
    assertThat(dst.pages[3]).containsOnly(0);
  }

  @Test
  void rejectsChunkOutsideMemory() {
    TransferChunk c = TransferChunk.newBuilder().setKind(ChunkKind.RAM).setFirstIndex(15).setCount(2)
        .setEncoding(Encoding.ZERO).build();
    assertThat(ChunkDecoder.apply(c, new Pages()).problem()).contains("outside");
  }

  @Test
  void xbzrleDeltaRebuildsThePage() {
    byte[] a = new byte[4096];
    new Random(4).nextBytes(a);
    byte[] b = a.clone();
    b[0] ^= 7;
    b[4095] ^= 9;
    b[2000] ^= 1;
    byte[] delta = Xbzrle.encode(a, b, 4096);
    assertThat(delta.length).isLessThan(20);
    Xbzrle.decode(delta, a);
    assertThat(a).isEqualTo(b);
  }
}
