package io.ferry.hostagent.migration;

import io.ferry.common.FerryException;
import io.ferry.common.HostPort;
import java.util.regex.Pattern;

/**
 * Where an agent takes incoming transfer streams on its data channel ({@link DataPlane}), and what sources are told.
 *
 * @param offered whether incoming migrations are offered the data channel at all (off: every stream is a
 *     {@code MigrationPeer.Transfer} call on the agent's gRPC port)
 * @param listenHost the address the data channel listens on; null: the agent's advertised host
 * @param port the port it listens on; 0: any free port (a firewall between agents needs a fixed one)
 * @param advertise {@code host:port} sources connect to when it differs from where the channel listens (a NAT or a
 *     proxy forwards it); null: the listening address and the bound port
 */
public record DataChannelOptions(boolean offered, String listenHost, int port, HostPort advertise) {
  /** Offered on the advertised host, any free port. */
  public static final DataChannelOptions DEFAULT = new DataChannelOptions(true, null, 0, null);
  /** Not offered: transfer streams are gRPC Transfer calls. */
  public static final DataChannelOptions OFF = new DataChannelOptions(false, null, 0, null);
  /** {@code name:port}, {@code 1.2.3.4:port} or {@code [v6]:port}; a bare IPv6 address has more than one colon. */
  private static final Pattern WITH_PORT = Pattern.compile("(\\[[^\\]]*\\]|[^:\\[]+):[^:]*");

  public DataChannelOptions {
    if (port < 0 || port > 65535) {
      throw new FerryException("data channel port " + port + " is outside 0..65535");
    }
    if (listenHost != null && listenHost.isBlank()) {
      listenHost = null;
    }
  }

  /**
   * From the agent's flags: {@code listen} is {@code ADDR}, {@code ADDR:PORT} or {@code :PORT} (IPv6 in brackets),
   * {@code advertise} {@code ADDR:PORT}; either may be null.
   */
  public static DataChannelOptions of(String listen, String advertise) {
    String host = null;
    int port = 0;
    if (listen != null && !listen.isBlank()) {
      String t = listen.trim();
      if (t.startsWith(":")) {
        port = HostPort.parse("any" + t).port();
      } else if (WITH_PORT.matcher(t).matches()) {
        HostPort hp = HostPort.parse(t);
        host = hp.host();
        port = hp.port();
      } else {
        host = t.startsWith("[") && t.endsWith("]") ? t.substring(1, t.length() - 1) : t;
      }
    }
    return new DataChannelOptions(true, host, port, advertise == null || advertise.isBlank() ? null
        : HostPort.parse(advertise.trim()));
  }


}
