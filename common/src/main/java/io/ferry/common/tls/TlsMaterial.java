package io.ferry.common.tls;

import io.ferry.common.FerryException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a process finds its certificates, or that it runs in plain text.
 *
 * <p>A certificate directory made by {@code ferry certs init} holds {@code ca.crt}, {@code node.crt} and
 * {@code node.key}; the node certificate serves as both server and client certificate (mTLS).
 */
public record TlsMaterial(boolean insecure, Path caCert, Path cert, Path key) {

  public static final String CA_CERT = "ca.crt";
  public static final String NODE_CERT = "node.crt";
  public static final String NODE_KEY = "node.key";

  public static TlsMaterial insecurePlainText() {
    return new TlsMaterial(true, null, null, null);
  }

  /** The standard files of a certificate directory; checks that each one is readable. */
  public static TlsMaterial fromDirectory(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new FerryException("certificate directory " + dir + " does not exist: create one with"
          + " 'ferry certs init --out " + dir + "' or run with --insecure");
    }
    TlsMaterial m = new TlsMaterial(false, dir.resolve(CA_CERT), dir.resolve(NODE_CERT), dir.resolve(NODE_KEY));
    m.checkReadable();
    return m;
  }

  public void checkReadable() {
    if (insecure) {
      return;
    }
    for (Path p : new Path[] {caCert, cert, key}) {
      if (!Files.isReadable(p)) {
        throw new FerryException("cannot read certificate file " + p
            + ": check the path and permissions, or create certificates with 'ferry certs init'");
      }
      try {
        String text = Files.readString(p);
        if (!text.contains("-----BEGIN ")) {
          throw new FerryException("certificate file " + p + " is not PEM: expected a '-----BEGIN ...' block");
        }
      } catch (IOException e) {
        throw new FerryException("cannot read certificate file " + p + ": " + e.getMessage(), e);
      }
    }
  }
}
