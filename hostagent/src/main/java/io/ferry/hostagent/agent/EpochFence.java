package io.ferry.hostagent.agent;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Refuses commands from deposed leaders.
 *
 * <p>Remembers the highest leader epoch this agent has seen (from commands and from the leader's report acks) and,
 * before each command, also reads the current epoch from ZooKeeper when it can: a leader that was paused or
 * partitioned while another took over carries an older epoch and is refused even if it reaches this agent first.
 */
public final class EpochFence {
  private final AtomicLong highest = new AtomicLong();
  private final LongSupplier currentEpoch;

  /** @param currentEpoch reads the cluster's current epoch (ZooKeeper); may throw when unreachable */
  public EpochFence(LongSupplier currentEpoch) {
    this.currentEpoch = currentEpoch;
  }

  public EpochFence() {
    this(() -> 0);
  }

  /**
   * Admits a command of {@code epoch} or throws FAILED_PRECONDITION naming both epochs. Epoch 0 (unset) is
   * refused: every command must say which term issued it.
   */
  public void admit(long epoch, String command) {
    if (epoch <= 0) {
      throw Status.FAILED_PRECONDITION.withDescription(command + " refused: it carries no leader epoch")
          .asRuntimeException();
    }
    observe(current());
    long seen = highest.accumulateAndGet(epoch, Math::max);
    if (epoch < seen) {
      throw stale(epoch, seen, command);
    }
  }

  private long current() {
    try {
      return currentEpoch.getAsLong();
    } catch (RuntimeException e) {
      return 0; // ZooKeeper unreachable: the epochs already seen still fence
    }
  }

  /** Records an epoch learned without a command (e.g. from the leader's acks). */
  public void observe(long epoch) {
    highest.accumulateAndGet(epoch, Math::max);
  }

  private static StatusRuntimeException stale(long epoch, long seen, String command) {
    return Status.FAILED_PRECONDITION.withDescription(command + " refused: it comes from leader epoch " + epoch
        + " but epoch " + seen + " has started (a newer leader exists)").asRuntimeException();
  }

  public long highestSeen() {
    return highest.get();
  }
}
