package io.ferry.hostagent.hypervisor;

import io.ferry.v1.MigrationLimits;
import io.ferry.v1.MigrationStats;
import io.ferry.v1.VmSpec;

/**
 * A hypervisor's own migration stream (QEMU's): the destination listens, the source pushes, the engine polls
 * progress and decides when to escalate. Implemented by the {@code qemu} driver.
 */
public non-sealed interface NativeStream extends MigrationSupport {
  /** Destination: start an incoming VM listening for the native stream; returns the URI the source connects to. */
  String listenIncoming(VmSpec spec, MigrationLimits limits);

  /** Source: start sending to {@code incomingUri} with the given limits. */
  void startOutgoing(String incomingUri, MigrationLimits limits, boolean postCopyAllowed);

  /** Source: current progress (remaining bytes, rounds, dirty rate) and whether it completed. */
  NativeProgress progress();

  /** Source: switch a running pre-copy to post-copy. */
  void startPostCopy();

  /** Source: raise the auto-converge throttle or downtime limit one step. */
  void escalate();

  /** Either side: stop the native stream; the source keeps running. */
  void cancel();

  /** Progress of a native migration as the hypervisor reports it. */
  record NativeProgress(boolean completed, boolean failed, String message, long remainingBytes,
                        MigrationStats stats) {}
}
