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
  void landsEveryByteInOrderInFreshMemory() {
    TlsMaterial tls = TestCerts.create(dir, "bench");
    long bytes = (OffHeap.GUEST_RAM_BUFFER_BYTES * 2L) + 12345; // across buffer boundaries, the last one partial
    OffHeap landing = OffHeap.guestRam(bytes);
    try {
      LoopbackTls.copy(bytes, tls, landing);
      // the sender writes 1 MiB blocks in which byte i is (byte) i, so byte at offset o is (byte) o
      for (long at : new long[] {0, 1, 4095, OffHeap.GUEST_RAM_BUFFER_BYTES - 1, OffHeap.GUEST_RAM_BUFFER_BYTES,
          OffHeap.GUEST_RAM_BUFFER_BYTES + 777, bytes - 1}) {
        ByteBuffer b = landing.allocated((int) (at / OffHeap.GUEST_RAM_BUFFER_BYTES));
        assertThat(b.get((int) (at % OffHeap.GUEST_RAM_BUFFER_BYTES))).as("byte at %d", at).isEqualTo((byte) at);
      }
    } finally {
      landing.release();
    }
  }
}
