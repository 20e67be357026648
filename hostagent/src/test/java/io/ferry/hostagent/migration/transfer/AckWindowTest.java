package io.ferry.hostagent.migration.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The adaptive window against simulated paths: a sender that sends whenever the window lets it, a path with a
 * round-trip delay, and a receiver that takes {@code service} per chunk, one at a time (the bottleneck). Time is
 * simulated, so the results are exact and the test is quick.
 */
class AckWindowTest {
  private static final long US = TimeUnit.MICROSECONDS.toNanos(1);
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  /** The simulated sender, path and receiver. */
  private static final class Path {
    long now;
    long delay;
    final long service;
    final AckWindow window;
    final ArrayDeque<Long> acksAt = new ArrayDeque<>();
    long receiverFreeAt;
    long acked;
    int peakLimit;

    Path(long delay, long service, int maxWindow) {
      this.delay = delay;
      this.service = service;
      this.window = new AckWindow(maxWindow, () -> now);
    }

    /** Runs until {@code chunks} more are acknowledged; returns the chunks per second over that stretch. */
    double run(long chunks) {
      long start = now;
      long until = acked + chunks;
      while (acked < until) {
        while (window.acquire(() -> true)) {
          long arrives = now + delay / 2;
          receiverFreeAt = Math.max(arrives, receiverFreeAt) + service;
          acksAt.add(receiverFreeAt + delay / 2);
        }
        now = acksAt.poll();
        window.acknowledged();
        acked++;
        peakLimit = Math.max(peakLimit, window.limit());
      }
      return chunks / ((now - start) / 1e9);
    }
  }

  @Test
  void silenceCountsFromTheLastAcknowledgementOrTheOldestChunkSentAfterIt() {
    long[] now = {1_000 * MS};
    AckWindow w = new AckWindow(4, () -> now[0]);
    assertThat(w.silentNanos()).as("nothing sent").isZero();
    w.acquire(() -> true);
    now[0] += 300 * MS;
    w.acquire(() -> true);
    assertThat(w.silentNanos()).as("since the first chunk was sent").isEqualTo(300 * MS);
    now[0] += 200 * MS;
    w.acknowledged();
    now[0] += 50 * MS;
    assertThat(w.silentNanos()).as("since the acknowledgement (the chunk still waiting was sent before it)")
        .isEqualTo(50 * MS);
    w.acknowledged();
    now[0] += 10_000 * MS;
    assertThat(w.silentNanos()).as("nothing waits").isZero();
    w.acquire(() -> true);
    now[0] += 7 * MS;
    assertThat(w.silentNanos()).as("since the chunk sent after the last acknowledgement").isEqualTo(7 * MS);
  }

  @Test
  void staysSmallWhereTheReceiverNotThePathIsTheLimit() {
    // loopback: 50 us round trip, 250 us per chunk at the receiver; two in flight already keep it busy
    Path p = new Path(50 * US, 250 * US, 64);
    p.run(1_000);
    p.peakLimit = 0;
    double rate = p.run(20_000);
    assertThat(p.peakLimit).as("largest window on a short path (maximum 64)").isBetween(AckWindow.MIN_LIMIT, 6);
    assertThat(rate).as("chunks/s with the receiver at 4000/s").isGreaterThan(0.97 * 4000);
  }

  @Test
  void growsToCoverALongPath() {
    // 10 ms round trip at 4000 chunks/s: 40 chunks in flight are needed to keep the receiver busy
    Path p = new Path(10 * MS, 250 * US, 256);
    p.run(5_000);
    p.peakLimit = 0;
    double rate = p.run(20_000);
    assertThat(rate).as("chunks/s over a 10 ms path").isGreaterThan(0.9 * 4000);
    assertThat(p.peakLimit).as("largest window, against a bandwidth-delay product of 40 and a maximum of 256")
        .isBetween(40, 60);
  }

  @Test
  void recoversWhenThePathBecomesLonger() {
    Path p = new Path(50 * US, 250 * US, 256);
    p.run(20_000);
    p.delay = 10 * MS; // a new route, or latency injected by a fault test
    p.run(30_000);
    double rate = p.run(20_000);
    assertThat(rate).as("chunks/s once the longer path was measured afresh").isGreaterThan(0.9 * 4000);
  }

  @Test
  void neverExceedsTheConfiguredMaximum() {
    Path p = new Path(10 * MS, 250 * US, 8);
    p.run(5_000);
    assertThat(p.window.limit()).isEqualTo(8);
    Path one = new Path(10 * MS, 250 * US, 1);
    one.run(100);
    assertThat(one.window.limit()).isEqualTo(1);
  }
}
