package io.ferry.scheduler.executor;

import io.ferry.common.FerryException;
import java.time.Duration;

/**
 * How hard the executor may push the cluster.
 *
 * @param maxConcurrent  migrations in flight in the whole cluster
 * @param maxPerHost     migrations in flight per host, counting it as source or destination
 * @param stallTimeout   a migration whose remaining bytes do not shrink for this long is cancelled
 * @param maxAttempts    dispatch attempts for transient errors (agent unreachable) before giving up
 * @param retryBackoff   first retry delay; doubles per attempt
 * @param keepFinished   finished journal entries kept for `ferry status` and reconciliation
 */
public record ExecutorLimits(int maxConcurrent, int maxPerHost, Duration stallTimeout, int maxAttempts,
                             Duration retryBackoff, int keepFinished) {
  public ExecutorLimits {
    if (maxConcurrent < 1 || maxPerHost < 1) {
      throw new FerryException("executor limits: maxConcurrent and maxPerHost must be at least 1");
    }
    if (maxPerHost > maxConcurrent) {
      throw new FerryException("executor limits: maxPerHost " + maxPerHost + " exceeds maxConcurrent " + maxConcurrent);
    }
    if (maxAttempts < 1) {
      throw new FerryException("executor limits: maxAttempts must be at least 1");
    }
  }

  /** The policy defaults (limits section of docs/policies.md). */
  public static ExecutorLimits defaults() {
    return new ExecutorLimits(8, 2, Duration.ofSeconds(60), 5, Duration.ofSeconds(1), 200);
  }
}
