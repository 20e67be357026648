package io.ferry.hostagent.hypervisor;

import io.ferry.v1.VmSpec;
import io.ferry.v1.VmState;
import io.ferry.v1.VmUsage;
import java.time.Instant;

/**
 * One VM managed by a {@link Hypervisor}. Lifecycle calls are idempotent; {@link #pause()} returns only when the
 * guest has stopped executing (its memory and disks no longer change).
 */
public interface VirtualMachine {
  String name();

  VmSpec spec();

  VmState state();

  void start();

  void pause();

  void resume();

  /** Stops the guest and releases its memory and disks. */
  void destroy();

  /**
   * Asks the guest to shut down (ACPI power button), waits up to {@code grace} for it, then {@link #destroy()}s
   * whatever is left. Drivers whose guests cannot be asked (sim) destroy at once.
   */
  default void shutdown(java.time.Duration grace) {
    destroy();
  }

  VmUsage usage();

  /**
   * The guest's own progress counter (the sim guest counts loop iterations in its RAM). A paused guest's counter
   * does not move.
   */
  long progressCounter();

  /** When the guest last advanced its progress counter, or {@code null} before its first step. */
  Instant lastProgressAt();

  /**
   * Completes with the instant of the guest's first progress step after the most recent {@link #start()} or
   * {@link #resume()}: the end of a migration's guest-visible downtime.
   */
  java.util.concurrent.CompletableFuture<Instant> firstProgressAfterStart();

  /** Auto-converge: slow the guest's vCPUs to {@code 1 - ratio} of their speed (0 = full speed, 0.99 max). */
  void throttle(double ratio);

  double throttleRatio();

  /** How this VM's state is moved to another host. */
  MigrationSupport migrationSupport();
}
