package io.ferry.it.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A fault-injecting TCP proxy: listens on a local port and forwards every connection to one target, with faults that
 * can be switched at any time, also on connections already open:
 * <ul>
 *   <li>{@link #latency}: every chunk is held this long in each direction (order kept);</li>
 *   <li>{@link #loss}: with this probability a chunk is held for a retransmission time-out (200 ms, doubling on
 *       consecutive losses, at most 3.2 s): a byte stream seen above TCP does not lose bytes, it stalls while TCP
 *       retransmits, and that is what the programs on both ends experience;</li>
 *   <li>{@link #bandwidth}: bytes per second in each direction (0 = unlimited);</li>
 *   <li>{@link #blackhole}: bytes vanish and nothing comes back, connections stay open (a partition where packets
 *       are dropped: peers see time-outs, not resets);</li>
 *   <li>{@link #refuse}: new connections are reset at once (a port nobody listens on);</li>
 *   <li>{@link #cutAll} and {@link #cutAfterBytes}: reset connections now, or each one after it carried that many
 *       bytes (a cut in the middle of a stream).</li>
 * </ul>
 */
public final class FaultProxy implements AutoCloseable {
  private static final int CHUNK_BYTES = 16 * 1024;
  private static final long RTO_NANOS = 200_000_000L;
  private static final int MAX_RTO_DOUBLINGS = 4;

  private final ServerSocket server;
  private final InetSocketAddress target;
  private final List<Link> links = new CopyOnWriteArrayList<>();
  private final Random random = new Random(42);
  private final AtomicLong bytesForwarded = new AtomicLong();
  private final AtomicLong accepted = new AtomicLong();
  private final Thread acceptor;
  private volatile long latencyNanos;
  private volatile double loss;
  private volatile long bandwidthBytesPerSecond;
  private volatile boolean blackhole;
  private volatile boolean refuse;
  private volatile long cutAfterBytes = Long.MAX_VALUE;
  private volatile boolean closed;

  /** A proxy on {@code bindHost} (any free port) to {@code targetHost:targetPort}. */
  public FaultProxy(String bindHost, String targetHost, int targetPort) throws IOException {
    this.server = new ServerSocket(0, 50, InetAddress.getByName(bindHost));
    this.target = new InetSocketAddress(targetHost, targetPort);
    this.acceptor = new Thread(this::acceptLoop, "fault-proxy-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public int port() {
    return server.getLocalPort();
  }

  public String address() {
    return server.getInetAddress().getHostAddress() + ":" + port();
  }

  public InetSocketAddress target() {
    return target;
  }

  public FaultProxy latency(java.time.Duration d) {
    latencyNanos = d.toNanos();
    return this;
  }

  public FaultProxy loss(double probability) {
    if (probability < 0 || probability > 1) {
      throw new IllegalArgumentException("loss probability must be within 0..1, got " + probability);
    }
    loss = probability;
    return this;
  }

  public FaultProxy bandwidth(long bytesPerSecond) {
    bandwidthBytesPerSecond = Math.max(0, bytesPerSecond);
    return this;
  }

  public FaultProxy blackhole(boolean on) {
    blackhole = on;
    return this;
  }

  public FaultProxy refuse(boolean on) {
    refuse = on;
    return this;
  }

  /** Resets each connection once it has carried {@code bytes} (both directions together); MAX_VALUE: never. */
  public FaultProxy cutAfterBytes(long bytes) {
    cutAfterBytes = bytes;
    return this;
  }

  /** Back to a clean pass-through for new bytes (connections already cut stay cut). */
  public FaultProxy heal() {
    latencyNanos = 0;
    loss = 0;
    bandwidthBytesPerSecond = 0;
    blackhole = false;
    refuse = false;
    cutAfterBytes = Long.MAX_VALUE;
    return this;
  }

  /** Resets every open connection now; returns how many there were. */
  public int cutAll() {
    int n = 0;
    for (Link l : links) {
      l.cut();
      n++;
    }
    return n;
  }

  /** Both directions' bytes handed on so far. */
  public long bytesForwarded() {
    return bytesForwarded.get();
  }

  public long connectionsAccepted() {
    return accepted.get();
  }

  public int openConnections() {
    return links.size();
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return;
      }
      accepted.incrementAndGet();
      if (refuse) {
        reset(client);
        continue;
      }
      Socket upstream = new Socket();
      try {
        upstream.connect(target, 2_000);
      } catch (IOException e) {
        reset(client);
        closeQuietly(upstream);
        continue;
      }
      Link link = new Link(client, upstream);
      links.add(link);
      link.start();
    }
  }

  /** One proxied connection: a reader and a writer thread per direction, chunks queued between them. */
  private final class Link {
    private final Socket client;
    private final Socket upstream;
    private final AtomicLong carried = new AtomicLong();
    private volatile boolean cut;

    Link(Socket client, Socket upstream) {
      this.client = client;
      this.upstream = upstream;
    }

    void start() {
      try {
        client.setTcpNoDelay(true);
        upstream.setTcpNoDelay(true);
        direction(client.getInputStream(), upstream.getOutputStream(), "up");
        direction(upstream.getInputStream(), client.getOutputStream(), "down");
      } catch (IOException e) {
        cut();
      }
    }

    private void direction(InputStream in, OutputStream out, String name) {
      BlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
      daemon(() -> read(in, queue), name + "-read");
      daemon(() -> write(queue, out), name + "-write");
    }

    private void read(InputStream in, BlockingQueue<Chunk> queue) {
      byte[] buf = new byte[CHUNK_BYTES];
      int losses = 0;
      try {
        for (int n; (n = in.read(buf)) >= 0; ) {
          long hold = latencyNanos;
          if (loss > 0 && random.nextDouble() < loss) {
            hold += RTO_NANOS << Math.min(losses, MAX_RTO_DOUBLINGS);
            losses++;
          } else {
            losses = 0;
          }
          queue.put(new Chunk(Arrays.copyOf(buf, n), System.nanoTime() + hold));
        }
      } catch (IOException | InterruptedException e) {
        // connection ended or cut
      }
      queue.add(Chunk.END);
    }

    private void write(BlockingQueue<Chunk> queue, OutputStream out) {
      try {
        while (true) {
          Chunk c = queue.take();
          if (c == Chunk.END) {
            break;
          }
          parkUntil(c.dueNanos());
          if (blackhole) {
            continue;
          }
          long rate = bandwidthBytesPerSecond;
          if (rate > 0) {
            parkUntil(System.nanoTime() + c.bytes().length * 1_000_000_000L / rate);
          }
          long total = carried.addAndGet(c.bytes().length);
          if (total > cutAfterBytes) {
            int allowed = (int) Math.max(0, c.bytes().length - (total - cutAfterBytes));
            out.write(c.bytes(), 0, allowed);
            out.flush();
            bytesForwarded.addAndGet(allowed);
            cut();
            return;
          }
          out.write(c.bytes());
          out.flush();
          bytesForwarded.addAndGet(c.bytes().length);
        }
      } catch (IOException | InterruptedException e) {
        // connection ended or cut
      }
      end();
    }

    /** One side finished: close both, so the other side sees the end too (unless blackholed). */
    private void end() {
      if (blackhole && !cut) {
        return;
      }
      closeQuietly(client);
      closeQuietly(upstream);
      links.remove(this);
    }

    void cut() {
      cut = true;
      reset(client);
      reset(upstream);
      links.remove(this);
    }
  }

  private record Chunk(byte[] bytes, long dueNanos) {
    static final Chunk END = new Chunk(new byte[0], 0);
  }

  private static void parkUntil(long nanos) throws InterruptedException {
    for (long left; (left = nanos - System.nanoTime()) > 0; ) {
      LockSupport.parkNanos(left);
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
    }
  }

  private static void daemon(Runnable r, String name) {
    Thread t = new Thread(r, "fault-proxy-" + name);
    t.setDaemon(true);
    t.start();
  }

  /** Closes with SO_LINGER 0: the peer gets a reset, as when a link or a process dies mid-stream. */
  private static void reset(Socket s) {
    try {
      s.setSoLinger(true, 0);
    } catch (SocketException ignored) {
      // already closed
    }
    closeQuietly(s);
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // nothing to do
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException ignored) {
      // nothing to do
    }
    cutAll();
  }
}
