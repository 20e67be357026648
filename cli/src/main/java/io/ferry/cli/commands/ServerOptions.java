package io.ferry.cli.commands;

import io.ferry.common.FerryException;
import io.ferry.common.tls.TlsMaterial;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Options shared by the long-running roles (scheduler, agent). */
public final class ServerOptions {
  @Option(names = "--zk", required = true, paramLabel = "HOST:PORT", description = "ZooKeeper connect string")
  String zk;

  @Option(names = "--cluster", defaultValue = "ferry", paramLabel = "NAME",
      description = "Helix cluster name (default: ${DEFAULT-VALUE})")
  String cluster;

  @Option(names = "--certs", paramLabel = "DIR",
      description = "Certificate directory from 'ferry certs init' (ca.crt, node.crt, node.key)")
  Path certs;

  @Option(names = "--insecure", description = "Plain text, no client certificates (logs a warning on every start)")
  boolean insecure;

  @Option(names = "--bind", defaultValue = "127.0.0.1", paramLabel = "ADDR",
      description = "Address to listen on (default: ${DEFAULT-VALUE})")
  String bind;

  @Option(names = "--advertise", paramLabel = "ADDR[:PORT]",
      description = {"Address other processes use to reach this one (default: the --bind address);",
          "agents also take a port, when a NAT or proxy forwards another port to theirs"})
  String advertise;

  @Option(names = "--session-timeout", defaultValue = "10s", converter = DurationConverter.class,
      paramLabel = "DURATION", description = "ZooKeeper session timeout (default: ${DEFAULT-VALUE})")
  Duration sessionTimeout;

  @Option(names = "--ticket-keys", paramLabel = "DIR",
      description = "Directory with ticket-signing.key (schedulers) / ticket-signing.pub (agents) (default: --certs)")
  Path ticketKeys;

  Path ticketKeys() {
    return ticketKeys != null ? ticketKeys : certs;
  }

  TlsMaterial tls() {
    if (insecure) {
      return TlsMaterial.insecurePlainText();
    }
    if (certs == null) {
      throw new FerryException("no certificates: pass --certs DIR (create one with 'ferry certs init --out DIR')"
          + " or run with --insecure");
    }
    return TlsMaterial.fromDirectory(certs);
  }

  String advertiseHost() {
    if (advertise != null) {
      return advertisePort() > 0 ? io.ferry.common.HostPort.parse(advertise).host() : advertise;
    }
    return "0.0.0.0".equals(bind) ? "127.0.0.1" : bind;
  }

  /** The port of --advertise ADDR:PORT, or 0 when it names an address only (IPv6 addresses need brackets). */
  int advertisePort() {
    if (advertise == null) {
      return 0;
    }
    String a = advertise.trim();
    boolean withPort = a.startsWith("[") ? a.contains("]:") : a.indexOf(':') > 0 && a.indexOf(':') == a.lastIndexOf(':');
    if (!withPort) {
      return 0;
    }
    return io.ferry.common.HostPort.parse(advertise).port();
  }
}
