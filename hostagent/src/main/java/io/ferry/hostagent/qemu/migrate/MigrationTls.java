package io.ferry.hostagent.qemu.migrate;

import io.ferry.hostagent.qemu.qmp.QmpClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;

/**
 * QEMU migration TLS from Ferry's certificates. QEMU's {@code tls-creds-x509} reads a directory holding
 * {@code ca-cert.pem}, {@code server-cert.pem}, {@code server-key.pem}, {@code client-cert.pem} and
 * {@code client-key.pem}; {@link #writeQemuDirectory} fills one from Ferry's {@code ca.crt}, {@code node.crt} and
 * {@code node.key} (the node certificate serves both ends, as it does for gRPC).
 */
public final class MigrationTls {
  /** The QOM id of the credentials object Ferry adds. */
  public static final String CREDS_ID = "ferry-migration-tls";

  private MigrationTls() {}

  /** Writes QEMU's file names into {@code qemuDir} from Ferry's certificate directory {@code ferryDir}. */
  public static Path writeQemuDirectory(Path ferryDir, Path qemuDir) {
    try {
      Files.createDirectories(qemuDir);
      copy(ferryDir.resolve("ca.crt"), qemuDir.resolve("ca-cert.pem"));
      copy(ferryDir.resolve("node.crt"), qemuDir.resolve("server-cert.pem"));
      copy(ferryDir.resolve("node.crt"), qemuDir.resolve("client-cert.pem"));
      String key = GnutlsKeys.withPublicKey(Files.readString(require(ferryDir.resolve("node.key"))));
      Files.writeString(qemuDir.resolve("server-key.pem"), key);
      Files.writeString(qemuDir.resolve("client-key.pem"), key);
      for (String keyFile : new String[] {"server-key.pem", "client-key.pem"}) {
        Files.setPosixFilePermissions(qemuDir.resolve(keyFile), PosixFilePermissions.fromString("rw-------"));
      }
      return qemuDir;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare QEMU TLS directory " + qemuDir + " from " + ferryDir, e);
    }
  }

  /**
   * Adds the credentials object to a QEMU: {@code server} on the destination, client on the source; both verify the
   * peer against the cluster CA.
   */
  static void addCredentials(QmpClient qmp, Path qemuDir, boolean server, Duration timeout) {
    // A VM that arrived by migration still holds its server-side credentials: replace them (the role may differ).
    try {
      qmp.execute("object-del", Map.of("id", CREDS_ID), timeout);
    } catch (io.ferry.hostagent.qemu.qmp.QmpException e) {
      // none yet: the usual case
    }
    qmp.execute("object-add", Map.of("qom-type", "tls-creds-x509", "id", CREDS_ID, "dir", qemuDir.toString(),
        "endpoint", server ? "server" : "client", "verify-peer", true), timeout);
  }

  private static void copy(Path from, Path to) throws IOException {
    Files.copy(require(from), to, StandardCopyOption.REPLACE_EXISTING);
  }

  private static Path require(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException(file + " is missing (make it with 'ferry certs')");
    }
    return file;
  }
}
