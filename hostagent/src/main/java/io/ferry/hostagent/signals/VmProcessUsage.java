package io.ferry.hostagent.signals;

import io.ferry.v1.SignalStatus;

/**
 * CPU and resident memory of one VM's process. {@code cpuCores} is CPU time per wall time (1.5 = one and a half
 * cores busy); it is 0 on the first sample of a process, which has nothing to compare with.
 */
public record VmProcessUsage(long pid, double cpuCores, long residentBytes, SignalStatus status) {}
