package io.ferry.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;

/** The baseline: a plain socket copy of N bytes over loopback, one connection, 1 MiB buffers. */
final class LoopbackTcp {
  private LoopbackTcp() {}

  /** Bytes per second of copying {@code bytes} from a client socket to a reading server socket. */
  static double throughputBytesPerSecond(long bytes) {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Long> reader = CompletableFuture.supplyAsync(() -> drain(server));
      long t0 = System.nanoTime();
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
           OutputStream out = s.getOutputStream()) {
        byte[] buf = new byte[1 << 20];
        for (long left = bytes; left > 0; left -= buf.length) {
          out.write(buf, 0, (int) Math.min(buf.length, left));
        }
      }
      long received = reader.join();
      double seconds = (System.nanoTime() - t0) / 1e9;
      return received / seconds;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long drain(ServerSocket server) {
    try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
      byte[] buf = new byte[1 << 20];
      long n = 0;
      for (int r; (r = in.read(buf)) >= 0; ) {
        n += r;
      }
      return n;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
