package io.ferry.hostagent.migration.kit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP forwarder a test can break on purpose: {@link #cut} closes every forwarded connection (both ends see
 * it), {@link #freeze} stops forwarding without closing anything (a host that vanished: its peers' connections stay
 * open and silent), and {@link #targetClosures} counts the connections the target side has closed.
 */
public final class TcpProxy implements AutoCloseable {
  private final ServerSocket server;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final AtomicInteger targetClosures = new AtomicInteger();
  private volatile boolean frozen;
  /** Connections (either end) frozen by {@link #freezeOpenConnections}. */
  private final java.util.Set<Socket> frozenSockets = java.util.concurrent.ConcurrentHashMap.newKeySet();

  public TcpProxy(String targetHost, int targetPort) throws IOException {
    server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
    Thread t = new Thread(() -> accept(targetHost, targetPort), "proxy-accept");
    t.setDaemon(true);
    t.start();
  }

  public int port() {
    return server.getLocalPort();
  }

  private void accept(String host, int port) {
    try {
      while (true) {
        Socket in = server.accept();
        Socket out = new Socket();
        out.connect(new InetSocketAddress(host, port));
        sockets.add(in);
        sockets.add(out);
        pump(in, out, false);
        pump(out, in, true);
      }
    } catch (IOException e) {
      // closed
    }
  }

  private void pump(Socket from, Socket to, boolean fromTarget) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[64 * 1024];
      try {
        InputStream i = from.getInputStream();
        OutputStream o = to.getOutputStream();
        int n;
        while ((n = i.read(buf)) >= 0) {
          if (!frozen(from)) {
            o.write(buf, 0, n);
          }
        }
      } catch (IOException e) {
        // cut, or reset by one side
      }
      if (fromTarget) {
        targetClosures.incrementAndGet();
      }
      if (!frozen(from)) {
        closeQuietly(from);
        closeQuietly(to);
      }
    }, "proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  /** Breaks every forwarded connection (both directions); the listener stays. */
  public void cut() {
    for (Socket s : sockets) {
      closeQuietly(s);
    }
    sockets.clear();
  }

  /** From now on nothing is forwarded and nothing closed: each side's connection stays open and hears nothing. */
  public void freeze() {
    frozen = true;
  }

  /**
   * The connections open now forward nothing more and are never closed (a path that went dark under them); new
   * connections are forwarded as before.
   */
  public void freezeOpenConnections() {
    frozenSockets.addAll(sockets);
  }

  private boolean frozen(Socket s) {
    return frozen || frozenSockets.contains(s);
  }

  /** Connections forwarded so far (closed ones included). */
  public int connections() {
    return sockets.size() / 2;
  }

  /** How many forwarded connections the target side has ended (closed or reset). */
  public int targetClosures() {
    return targetClosures.get();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() throws IOException {
    frozen = false;
    cut();
    server.close();
  }
}
