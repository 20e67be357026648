package io.ferry.hostagent.qemu.migrate;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A loopback TCP forwarder whose connections a test can cut, to break a migration stream on purpose. */
final class TcpProxy implements AutoCloseable {
  private final ServerSocket server;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();

  TcpProxy(String targetHost, int targetPort) throws IOException {
    server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
    Thread t = new Thread(() -> accept(targetHost, targetPort), "proxy-accept");
    t.setDaemon(true);
    t.start();
  }

  int port() {
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
        pump(in, out);
        pump(out, in);
      }
    } catch (IOException e) {
      // closed
    }
  }

  private static void pump(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[64 * 1024];
      try (InputStream i = from.getInputStream(); OutputStream o = to.getOutputStream()) {
        int n;
        while ((n = i.read(buf)) >= 0) {
          o.write(buf, 0, n);
        }
      } catch (IOException e) {
        // cut
      }
    }, "proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  /** Breaks every forwarded connection (both directions); the listener stays. */
  void cut() {
    for (Socket s : sockets) {
      try {
        s.close();
      } catch (IOException e) {
        // already closed
      }
    }
    sockets.clear();
  }

  @Override
  public void close() throws IOException {
    cut();
    server.close();
  }
}
