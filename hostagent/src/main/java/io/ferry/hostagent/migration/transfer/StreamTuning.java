package io.ferry.hostagent.migration.transfer;

import io.ferry.v1.TransferChunk;
import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;

/**
 * How the transfer streams of an agent behave, whatever their transport.
 *
 * @param maxWindow most unacknowledged chunks per stream ({@link AckWindow} adapts below it)
 * @param ticker monotonic nanoseconds (round trips, silence)
 * @param stallLimit a stream whose destination acknowledged nothing for this long while chunks wait fails: the path
 *     is blocked (connections open, nothing arrives) or the destination stopped; the agents use their incoming idle
 *     timeout, after which a destination that received nothing has discarded its copy anyway
 * @param tamper applied to every chunk sent: identity in production, corruption in fault tests
 */
public record StreamTuning(int maxWindow, LongSupplier ticker, Duration stallLimit,
                           UnaryOperator<TransferChunk> tamper) {
  public StreamTuning {
    if (maxWindow < 1) {
      throw new IllegalArgumentException("window must be >= 1, got " + maxWindow);
    }
    if (stallLimit.isNegative() || stallLimit.isZero()) {
      throw new IllegalArgumentException("stallLimit must be positive, got " + stallLimit);
    }
  }
}
