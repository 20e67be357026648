package io.ferry.hostagent.migration.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.ferry.v1.ChunkKind;
import io.ferry.v1.Encoding;
import io.ferry.v1.TransferChunk;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChunkWireReaderTest {
  private final Random random = new Random(42);

  /** {@code bytes} cut at random places into direct buffers, as a transport hands them over. */
  private List<ByteBuffer> scatter(byte[] bytes) {
    List<ByteBuffer> out = new ArrayList<>();
    for (int at = 0; at < bytes.length; ) {
      int n = Math.min(bytes.length - at, 1 + random.nextInt(5000));
      out.add(ByteBuffer.allocateDirect(n).put(bytes, at, n).flip());
      at += n;
    }
    return out;
  }

  private TransferChunk chunk(int payloadBytes, int round) {
    byte[] payload = new byte[payloadBytes];
    random.nextBytes(payload);
    return TransferChunk.newBuilder().setMigrationId("m-" + random.nextInt()).setSequence(random.nextLong() >>> 1)
        .setStream(random.nextInt(16)).setKind(ChunkKind.RAM).setRound(round).setFirstIndex(random.nextInt(1 << 20))
        .setCount(payloadBytes / 4096).setEncoding(Encoding.RAW).setPayload(ByteString.copyFrom(payload))
        .setChecksum(random.nextInt()).setDisk(random.nextInt(4)).build();
  }

  private static ByteString gathered(List<ByteBuffer> payload) {
    ByteString out = ByteString.EMPTY;
    for (ByteBuffer b : payload) {
      out = out.concat(ByteString.copyFrom(b.duplicate()));
    }
    return out;
  }

  @Test
  void readsWhatProtobufWritesWhateverTheBufferSplit() {
    for (int i = 0; i < 200; i++) {
      TransferChunk c = chunk(4096 * (1 + random.nextInt(64)), random.nextInt(40) - 1);

      ChunkWireReader.Parsed read = ChunkWireReader.read(scatter(c.toByteArray()));

      assertThat(read.fields()).isEqualTo(c.toBuilder().clearPayload().build());
      assertThat(gathered(read.payload())).isEqualTo(c.getPayload());
    }
  }

  @Test
  void leavesThePayloadInTheBuffers() {
    TransferChunk c = chunk(4096 * 8, 0);
    List<ByteBuffer> buffers = scatter(c.toByteArray());

    ChunkWireReader.Parsed read = ChunkWireReader.read(buffers);
    // overwrite the transport's bytes: a payload that is a view of them changes too
    buffers.forEach(b -> {
      for (int k = b.position(); k < b.limit(); k++) {
        b.put(k, (byte) 0);
      }
    });

    assertThat(gathered(read.payload()).size()).isEqualTo(4096 * 8);
    assertThat(gathered(read.payload()).toByteArray()).containsOnly(0);
  }

  @Test
  void handsUnknownFieldsToTheOrdinaryParser() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CodedOutputStream cos = CodedOutputStream.newInstance(out);
    chunk(4096, 0).writeTo(cos);
    cos.writeUInt64(99, 7);
    cos.flush();

    assertThat(ChunkWireReader.read(scatter(out.toByteArray()))).isNull();
  }

  @Test
  void refusesATruncatedMessage() {
    byte[] bytes = chunk(4096 * 2, 0).toByteArray();

    assertThat(ChunkWireReader.read(scatter(java.util.Arrays.copyOf(bytes, bytes.length - 100)))).isNull();
  }
}
