package io.ferry.hostagent.migration.transfer;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * How many chunks of one transfer stream may be unacknowledged, adapted to the path the way TCP Vegas adapts its
 * congestion window: the window should cover the path's bandwidth-delay product and a few chunks more, no more.
 *
 * <p>Why not a large fixed window: every chunk in flight is memory the CPU has to bring back from DRAM at each later
 * step (encryption, the socket copies, decryption, the checksum, the copy into guest memory). With 64 chunks of
 * 256 KiB per stream, an idle 1 GiB migration between two agents on one 2-core machine ran at about 700 MiB/s;
 * with 2 it ran at about 940 MiB/s and used a quarter less CPU per GiB. A small fixed window would starve a long
 * path instead (two 256 KiB chunks per 10 ms round trip are 50 MiB/s), so the window is measured:
 *
 * <ul>
 *   <li>each acknowledgement gives a round-trip sample (chunks are acknowledged in order);</li>
 *   <li>once per round trip (an epoch: until the chunks sent when it began are acknowledged) the chunks queued
 *       beyond what the path carries are estimated as {@code limit * (1 - baseRtt / epochRtt)}, with the epoch's
 *       mean round trip (its least would miss the queue a burst builds behind the epoch's first chunk);</li>
 *   <li>fewer than {@value #ALPHA} queued: the window grows (doubling until the first time it is enough, then by
 *       one); more than {@value #BETA}: it shrinks by half the excess over {@value #ALPHA}; between: it stays;</li>
 *   <li>the base round trip is the least seen; every {@value #REBASE_EPOCHS} epochs it is measured afresh at the
 *       least window (one epoch to drain, one to measure, as BBR probes its minimum round trip), and the window
 *       grows fast again when the path became much longer, so that a slower path (a new route, injected
 *       latency) does not look congested for ever.</li>
 * </ul>
 *
 * <p>The window stays within {@value #MIN_LIMIT} and the configured maximum. One thread sends, any thread
 * acknowledges.
 */
final class AckWindow {
  static final int MIN_LIMIT = 2;
  static final double ALPHA = 0.5;
  static final double BETA = 1.5;
  static final int REBASE_EPOCHS = 64;
  private static final long WAIT_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  private final int maxLimit;
  private final LongSupplier ticker;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  /** Send times of the unacknowledged chunks, oldest first (a ring of maxLimit). */
  private final long[] sentAt;
  private int head;
  private int inFlight;
  private int limit;
  private boolean slowStart = true;
  private long sent;
  private long acked;
  private long epochEnd;
  private long epochRttSum;
  private int epochSamples;
  private long baseRtt = Long.MAX_VALUE;
  private int epochs;
  private Phase phase = Phase.NORMAL;
  private int limitBeforeProbe;
  /** When the last acknowledgement came (ticker time); MIN_VALUE before the first. */
  private long lastAck = Long.MIN_VALUE;

  /** Adapting, or measuring the base round trip afresh at the least window (first draining the larger one). */
  private enum Phase { NORMAL, PROBE_DRAIN, PROBE_MEASURE }

  AckWindow(int maxLimit, LongSupplier ticker) {
    if (maxLimit < 1) {
      throw new IllegalArgumentException("window must be >= 1, got " + maxLimit);
    }
    this.maxLimit = maxLimit;
    this.ticker = ticker;
    this.sentAt = new long[maxLimit];
    this.limit = Math.min(MIN_LIMIT, maxLimit);
  }

  /** Takes a place for one chunk about to be sent; false when {@code giveUp} said so while the window was full. */
  boolean acquire(BooleanSupplier giveUp) {
    lock.lock();
    try {
      if (!waitWhile(() -> inFlight >= limit, giveUp)) {
        return false;
      }
      sentAt[(head + inFlight) % maxLimit] = ticker.getAsLong();
      inFlight++;
      sent++;
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** The destination acknowledged the oldest unacknowledged chunk. */
  void acknowledged() {
    lock.lock();
    try {
      if (inFlight == 0) {
        return; // more acknowledgements than chunks: the stream fails on its own account
      }
      long now = ticker.getAsLong();
      long rtt = now - sentAt[head];
      lastAck = now;
      head = (head + 1) % maxLimit;
      inFlight--;
      acked++;
      if (rtt > 0) {
        epochRttSum += rtt;
        epochSamples++;
      }
      if (acked >= epochEnd) {
        endEpoch();
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void endEpoch() {
    long rtt = epochSamples == 0 ? 0 : epochRttSum / epochSamples;
    epochRttSum = 0;
    epochSamples = 0;
    epochEnd = sent;
    if (rtt <= 0) {
      return;
    }
    switch (phase) {
      case PROBE_DRAIN -> phase = Phase.PROBE_MEASURE; // chunks sent under the old limit are acknowledged now
      case PROBE_MEASURE -> {
        rebase(rtt);
        limit = limitBeforeProbe;
        phase = Phase.NORMAL;
      }
      case NORMAL -> {
        if (++epochs % REBASE_EPOCHS == 0) {
          if (limit <= MIN_LIMIT) {
            rebase(rtt); // measured at the least window already
          } else {
            limitBeforeProbe = limit;
            limit = MIN_LIMIT;
            phase = Phase.PROBE_DRAIN;
            return;
          }
        }
        baseRtt = Math.min(baseRtt, rtt);
        adjust(limit * (1 - (double) baseRtt / rtt));
      }
    }
  }

  /** A fresh base round trip; when the path became much longer the window has far to grow, so it grows fast again. */
  private void rebase(long rtt) {
    if (rtt > baseRtt + baseRtt / 2) {
      slowStart = true;
    }
    baseRtt = rtt;
  }

  /** Grows or shrinks the limit by the chunks estimated to wait in queues beyond what the path carries. */
  private void adjust(double queued) {
    if (queued < ALPHA) {
      limit = slowStart ? limit * 2 : limit + 1;
    } else {
      slowStart = false;
      if (queued > BETA) {
        limit = (int) Math.ceil(limit - (queued - ALPHA) / 2); // halfway back to about ALPHA queued
      }
    }
    limit = Math.max(Math.min(MIN_LIMIT, maxLimit), Math.min(maxLimit, limit));
  }

  /** Waits until every chunk sent is acknowledged; false when {@code giveUp} said so first. */
  boolean awaitEmpty(BooleanSupplier giveUp) {
    return awaitWhile(() -> inFlight > 0, giveUp);
  }

  /** Whether chunks sent are still waiting for their acknowledgement. */
  boolean unacknowledged() {
    lock.lock();
    try {
      return inFlight > 0;
    } finally {
      lock.unlock();
    }
  }

  /**
   * How long chunks have waited without any acknowledgement: since the last one, or since the oldest unacknowledged
   * chunk was sent if that was later; 0 while nothing waits.
   */
  long silentNanos() {
    lock.lock();
    try {
      return inFlight == 0 ? 0 : ticker.getAsLong() - Math.max(lastAck, sentAt[head]);
    } finally {
      lock.unlock();
    }
  }

  /** Chunks sent and not yet acknowledged. */
  int inFlight() {
    lock.lock();
    try {
      return inFlight;
    } finally {
      lock.unlock();
    }
  }

  /** Chunks that may be unacknowledged now. */
  int limit() {
    lock.lock();
    try {
      return limit;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits while {@code blocked} (a condition outside the window, such as a full transport); false when
   * {@code giveUp} said so first. Whoever unblocks it calls {@link #wake}.
   */
  boolean awaitWhile(BooleanSupplier blocked, BooleanSupplier giveUp) {
    lock.lock();
    try {
      return waitWhile(blocked, giveUp);
    } finally {
      lock.unlock();
    }
  }

  /** Wakes the waiting sender so that it looks again (the transport takes more, or a failure was recorded). */
  void wake() {
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** With the lock held: waits while {@code blocked}; false when {@code giveUp} said so (or interrupted) first. */
  private boolean waitWhile(BooleanSupplier blocked, BooleanSupplier giveUp) {
    while (blocked.getAsBoolean()) {
      if (giveUp.getAsBoolean()) {
        return false;
      }
      try {
        changed.awaitNanos(WAIT_SLICE_NANOS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }
}
