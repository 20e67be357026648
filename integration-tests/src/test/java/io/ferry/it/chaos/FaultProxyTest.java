package io.ferry.it.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fault-injecting proxy against a plain echo server: each fault does what the chaos scenarios rely on. */
class FaultProxyTest {
  private ServerSocket echo;
  private FaultProxy proxy;

  @BeforeEach
  void start() throws IOException {
    echo = new ServerSocket(0);
    Thread t = new Thread(() -> {
      while (!echo.isClosed()) {
        try {
          Socket s = echo.accept();
          Thread h = new Thread(() -> {
            try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
              in.transferTo(out);
            } catch (IOException ignored) {
              // client went away
            }
          });
          h.setDaemon(true);
          h.start();
        } catch (IOException e) {
          return;
        }
      }
    });
    t.setDaemon(true);
    t.start();
    proxy = new FaultProxy("127.0.0.1", "127.0.0.1", echo.getLocalPort());
  }

  @AfterEach
  void stop() throws IOException {
    proxy.close();
    echo.close();
  }

  private Socket connect() throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", proxy.port()), 2_000);
    s.setSoTimeout(10_000);
    return s;
  }

  /** Sends {@code data} and reads the echo back; returns how long the round trip took. */
  private static Duration roundTrip(Socket s, byte[] data) throws Exception {
    long t0 = System.nanoTime();
    Thread writer = new Thread(() -> {
      try {
        s.getOutputStream().write(data);
        s.getOutputStream().flush();
      } catch (IOException ignored) {
        // the reader reports
      }
    });
    writer.start();
    byte[] back = s.getInputStream().readNBytes(data.length);
    writer.join();
    assertThat(back).as("echo through the proxy").isEqualTo(data);
    return Duration.ofNanos(System.nanoTime() - t0);
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    new Random(7).nextBytes(b);
    return b;
  }

  @Test
  void passesBytesThroughUnchanged() throws Exception {
    try (Socket s = connect()) {
      roundTrip(s, random(1 << 20));
    }
    assertThat(proxy.bytesForwarded()).isEqualTo(2L << 20);
  }

  @Test
  void latencyDelaysEachDirectionAndCanBeChangedOnAnOpenConnection() throws Exception {
    try (Socket s = connect()) {
      proxy.latency(Duration.ofMillis(150));
      assertThat(roundTrip(s, new byte[] {1})).isGreaterThanOrEqualTo(Duration.ofMillis(300));
      proxy.latency(Duration.ZERO);
      assertThat(roundTrip(s, new byte[] {2})).isLessThan(Duration.ofMillis(300));
    }
  }

  @Test
  void lossStallsTheStreamLikeTcpRetransmissionsWithoutLosingBytes() throws Exception {
    proxy.loss(1.0);
    try (Socket s = connect()) {
      assertThat(roundTrip(s, random(64))).isGreaterThanOrEqualTo(Duration.ofMillis(400));
    }
    assertThatThrownBy(() -> proxy.loss(1.5)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void bandwidthCapLimitsThroughput() throws Exception {
    proxy.bandwidth(256 * 1024);
    try (Socket s = connect()) {
      // 256 KiB each way at 256 KiB/s per direction: about a second
      assertThat(roundTrip(s, random(256 * 1024))).isGreaterThanOrEqualTo(Duration.ofMillis(900));
    }
  }

  @Test
  void cutAfterBytesEndsTheStreamMidwayWithAReset() throws Exception {
    proxy.cutAfterBytes(100_000);
    try (Socket s = connect()) {
      s.getOutputStream().write(random(50_000));
      byte[] back = s.getInputStream().readNBytes(50_000);
      assertThat(back).hasSize(50_000);
      s.getOutputStream().write(random(50_000));
      int got = readUntilEnd(s.getInputStream());
      assertThat(got).as("nothing beyond the cut arrives").isLessThan(50_000);
    }
    assertThat(proxy.openConnections()).isZero();
  }

  @Test
  void cutAllResetsOpenConnectionsAndNewOnesStillWork() throws Exception {
    try (Socket s = connect()) {
      roundTrip(s, new byte[] {1});
      assertThat(proxy.cutAll()).isEqualTo(1);
      assertThat(readUntilEnd(s.getInputStream())).isZero();
    }
    try (Socket s = connect()) {
      roundTrip(s, new byte[] {3});
    }
  }

  @Test
  void blackholeSwallowsBytesWithoutClosingAndHealingRestoresTraffic() throws Exception {
    proxy.blackhole(true);
    try (Socket s = connect()) {
      s.setSoTimeout(500);
      s.getOutputStream().write(new byte[] {1, 2, 3});
      assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
    }
    proxy.heal();
    try (Socket s = connect()) {
      roundTrip(s, new byte[] {4});
    }
  }

  @Test
  void refuseResetsNewConnections() throws Exception {
    proxy.refuse(true);
    assertThat(bytesFromRefusedConnection()).as("bytes from a refused connection").isZero();
    proxy.refuse(false);
    try (Socket s = connect()) {
      roundTrip(s, new byte[] {5});
    }
    assertThat(proxy.connectionsAccepted()).isEqualTo(2);
  }

  /**
   * Connects and reads until the proxy ends the connection; returns how many bytes came. The reset may arrive while
   * the client is still finishing its connect (the handshake completed, then the RST overtook the poll), which a
   * client sees as a failed connect: also a refusal.
   */
  private int bytesFromRefusedConnection() throws IOException {
    Socket s = new Socket();
    try (s) {
      try {
        s.connect(new InetSocketAddress("127.0.0.1", proxy.port()), 2_000);
      } catch (SocketException resetWhileConnecting) {
        return 0;
      }
      s.setSoTimeout(10_000);
      return readUntilEnd(s.getInputStream());
    }
  }

  /** Reads until end of stream or reset; returns how many bytes came. */
  private static int readUntilEnd(InputStream in) {
    byte[] buf = new byte[8192];
    int total = 0;
    try {
      for (int n; (n = in.read(buf)) >= 0; ) {
        total += n;
      }
    } catch (IOException reset) {
      // a reset ends the stream too
    }
    return total;
  }
}
