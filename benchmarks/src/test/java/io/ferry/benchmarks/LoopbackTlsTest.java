package io.ferry.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.common.testing.TestCerts;
import io.ferry.common.tls.TlsMaterial;
import io.ferry.hostagent.sim.OffHeap;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The encrypted baseline row of the migration benchmark: every byte arrives, over mutually authenticated TLS 1.3. */
class LoopbackTlsTest {
  @TempDir
  Path dir;

  @Test
  void copiesEveryByteOverMutualTlsAndSaysWhichStackCarriedThem() {
    TlsMaterial tls = TestCerts.create(dir, "bench");
    LoopbackTls.Result r = LoopbackTls.copy(64L << 20, tls);
    assertThat(r.bytesPerSecond()).isPositive();
    // gRPC's Netty ships BoringSSL for linux-x86_64: the baseline uses the same TLS implementation as the agents
    assertThat(r.stack()).startsWith("BoringSSL TLSv1.3 TLS_");
  }

  @Test
  void landsEveryByteOfEveryConnectionInItsShareOfFreshMemory() {
    TlsMaterial tls = TestCerts.create(dir, "bench");
    int buffer = OffHeap.GUEST_RAM_BUFFER_BYTES;
    long bytes = 2L * buffer + 12346; // two shares, each ending inside a buffer; the second crosses a boundary
    long share = bytes / 2;
    OffHeap landing = OffHeap.guestRam(bytes);
    try {
      LoopbackTls.copy(bytes, tls, 2, landing);
      // each connection writes 1 MiB blocks in which byte i is (byte) i, so its byte at offset o is (byte) o
      for (long at : new long[] {0, 1, 4095, share - 1, share, share + 1, buffer - 1, buffer, buffer + 777,
          bytes - 1}) {
        long o = at < share ? at : at - share;
        ByteBuffer b = landing.allocated((int) (at / buffer));
        assertThat(b.get((int) (at % buffer))).as("byte at %d", at).isEqualTo((byte) o);
      }
    } finally {
      landing.release();
    }
  }
}
