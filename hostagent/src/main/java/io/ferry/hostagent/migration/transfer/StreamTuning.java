package io.ferry.hostagent.migration.transfer;

import io.ferry.v1.TransferChunk;
import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;

/**
 * How the transfer streams of an agent behave, whatever their transport ({@code MigrationSettings#streamTuning}, which
 * checks the values: a positive window and idle timeout).
 *
 * @param maxWindow most unacknowledged chunks per stream ({@link AckWindow} adapts below it)
 * @param ticker monotonic nanoseconds (round trips, silence)
 * @param stallLimit a stream whose destination acknowledged nothing for this long while chunks wait fails: the path
 *     is blocked (connections open, nothing arrives) or the destination stopped; the agents use their incoming idle
 *     timeout, after which a destination that received nothing has discarded its copy anyway
 * @param tamper applied to every chunk sent: identity in production, corruption in fault tests
 */
public record StreamTuning(int maxWindow, LongSupplier ticker, Duration stallLimit,
                           UnaryOperator<TransferChunk> tamper) {}
