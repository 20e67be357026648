package io.ferry.hostagent.agent;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Remembers the highest leader epoch this agent has accepted and refuses commands from older terms, so a
 * deposed leader (paused, partitioned) can never act again.
 */
public final class EpochFence {
  private final AtomicLong highest = new AtomicLong();

  /**
   * Admits a command of {@code epoch} or throws FAILED_PRECONDITION naming both epochs. Epoch 0 (unset) is
   * refused: every command must say which term issued it.
   */
  public void admit(long epoch, String command) {
    if (epoch <= 0) {
      throw Status.FAILED_PRECONDITION.withDescription(command + " refused: it carries no leader epoch")
          .asRuntimeException();
    }
    long seen = highest.accumulateAndGet(epoch, Math::max);
    if (epoch < seen) {
      throw stale(epoch, seen, command);
    }
  }

  private static StatusRuntimeException stale(long epoch, long seen, String command) {
    return Status.FAILED_PRECONDITION.withDescription(command + " refused: it comes from leader epoch " + epoch
        + " but this agent has already obeyed epoch " + seen + " (a newer leader exists)").asRuntimeException();
  }

  public long highestSeen() {
    return highest.get();
  }
}
