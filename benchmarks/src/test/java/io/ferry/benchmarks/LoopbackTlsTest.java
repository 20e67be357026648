package io.ferry.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.common.testing.TestCerts;
import io.ferry.common.tls.TlsMaterial;
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
}
