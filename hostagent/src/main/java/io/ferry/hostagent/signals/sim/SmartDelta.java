package io.ferry.hostagent.signals.sim;

import java.util.Optional;

/**
 * What a scenario has done to one simulated disk so far: counters grown by so many sectors, and the overall health
 * verdict forced to pass or fail (empty: left to the disk).
 */
public record SmartDelta(long reallocatedSectors, long pendingSectors, long offlineUncorrectable,
    Optional<Boolean> smartPassed) {
  public static final SmartDelta NONE = new SmartDelta(0, 0, 0, Optional.empty());

  /** This change followed by {@code later}: counters add up, the later verdict wins. */
  public SmartDelta then(SmartDelta later) {
    return new SmartDelta(reallocatedSectors + later.reallocatedSectors, pendingSectors + later.pendingSectors,
        offlineUncorrectable + later.offlineUncorrectable,
        later.smartPassed.isPresent() ? later.smartPassed : smartPassed);
  }
}
