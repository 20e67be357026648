package io.ferry.cli.client;

import io.ferry.common.FerryException;
import io.ferry.common.tls.TlsMaterial;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** How a client command finds the cluster: flags first, then the current context written by 'ferry up'. */
public final class ClusterOptions {
  @Option(names = "--zk", paramLabel = "HOST:PORT", description = "ZooKeeper address (default: current context)")
  String zk;

  @Option(names = "--cluster", paramLabel = "NAME", description = "Cluster name (default: current context)")
  String cluster;

  @Option(names = "--certs", paramLabel = "DIR", description = "Certificate directory with ca.crt, node.crt, node.key")
  Path certs;

  @Option(names = "--insecure", description = "Talk plain text (only to a cluster started with --insecure)")
  boolean insecure;

  /** The effective settings, or a clear error when neither flags nor a context say where the cluster is. */
  public Context resolve() {
    Optional<Context> ctx = Context.load();
    String z = zk != null ? zk : ctx.map(Context::zk).orElse(null);
    String c = cluster != null ? cluster : ctx.map(Context::cluster).orElse(null);
    if (z == null || c == null) {
      throw new FerryException("no cluster given and no current context: pass --zk HOST:PORT --cluster NAME,"
          + " or start a local cluster with 'ferry up'");
    }
    boolean fromContext = zk == null && ctx.isPresent();
    boolean plain = insecure || (fromContext && certs == null && ctx.get().insecure());
    String certDir = certs != null ? certs.toString() : (fromContext ? ctx.get().certs() : null);
    if (!plain && certDir == null) {
      throw new FerryException("no certificates given: pass --certs DIR (from 'ferry certs init') or --insecure");
    }
    return new Context(z, c, plain ? null : certDir, plain, fromContext ? ctx.get().admin() : null);
  }

  public static TlsMaterial tls(Context c) {
    return c.insecure() ? TlsMaterial.insecurePlainText() : TlsMaterial.fromDirectory(Path.of(c.certs()));
  }
}
