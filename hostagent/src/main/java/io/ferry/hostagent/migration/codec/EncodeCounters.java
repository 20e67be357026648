package io.ferry.hostagent.migration.codec;

import java.util.concurrent.atomic.LongAdder;

/** What the encoder saved: zero pages not sent and bytes sent as deltas. */
public final class EncodeCounters {
  public final LongAdder zeroUnitsSkipped = new LongAdder();
  public final LongAdder deltaBytes = new LongAdder();
  public final LongAdder deltaUnits = new LongAdder();
}
