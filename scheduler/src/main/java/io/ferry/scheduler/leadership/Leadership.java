package io.ferry.scheduler.leadership;

/**
 * The scheduler's view of its own leadership term. Commands may be issued only while {@link #isLeader()},
 * and each carries {@link #epoch()} so agents can refuse a deposed leader.
 */
public interface Leadership {
  boolean isLeader();

  /** The epoch of the term this replica leads, or 0 when it does not lead. */
  long epoch();

  /** Name of the replica leading now, as far as this replica knows ("" when unknown). */
  String leaderName();
}
