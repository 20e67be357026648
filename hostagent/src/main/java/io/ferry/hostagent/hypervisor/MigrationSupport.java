package io.ferry.hostagent.hypervisor;

/**
 * How a driver's VMs migrate. The migration engine runs the same orchestration (ticket, prepare, switchover,
 * commit, abort, stats) for both kinds and differs only in who moves the bytes:
 * <ul>
 *   <li>{@link PageAccess}: the engine reads and writes guest memory and disks itself and streams them over
 *   {@code MigrationPeer.Transfer} (the {@code sim} driver);</li>
 *   <li>{@link NativeStream}: the hypervisor has its own migration stream (QEMU), the engine only drives it.</li>
 * </ul>
 */
public sealed interface MigrationSupport permits PageAccess, NativeStream {}
