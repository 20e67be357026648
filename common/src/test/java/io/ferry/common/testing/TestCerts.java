package io.ferry.common.testing;

import io.ferry.common.tls.CertificateAuthority;
import io.ferry.common.tls.TlsMaterial;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Test kit: a fresh CA and a localhost node certificate in a directory. */
public final class TestCerts {
  private TestCerts() {}

  public static TlsMaterial create(Path dir, String clusterName) {
    CertificateAuthority ca = CertificateAuthority.create(clusterName, Duration.ofDays(1));
    ca.writeCa(dir);
    ca.issue("test-node", List.of("localhost", "127.0.0.1"), Duration.ofDays(1), dir, "node");
    return TlsMaterial.fromDirectory(dir);
  }
}
