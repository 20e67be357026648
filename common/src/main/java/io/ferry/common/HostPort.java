package io.ferry.common;

/** A validated {@code host:port} pair. */
public record HostPort(String host, int port) {
  public HostPort {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("host is empty");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is outside 0..65535");
    }
  }

  /** Parses {@code host:port} (IPv6 as {@code [::1]:port}); says what is wrong with the text otherwise. */
  public static HostPort parse(String text) {
    if (text == null || text.isBlank()) {
      throw new FerryException("address is empty: expected HOST:PORT");
    }
    String t = text.trim();
    int colon = t.lastIndexOf(':');
    if (colon <= 0 || colon == t.length() - 1) {
      throw new FerryException("address '" + text + "' is not HOST:PORT");
    }
    String host = t.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(t.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new FerryException("address '" + text + "' has a port that is not a number");
    }
    if (port < 1 || port > 65535) {
      throw new FerryException("address '" + text + "' has port " + port + " outside 1..65535");
    }
    return new HostPort(host, port);
  }

  @Override
  public String toString() {
    return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
  }
}
