/**
 * What a Ferry agent measures on a real Linux host: CPU, memory, temperature, disk health (SMART), network and host
 * facts, each read by a small sampler that never throws and reports "unavailable: reason" instead.
 *
 * <p>Entry points: {@link io.ferry.hostagent.signals.HostSampler} (the agent: samples on a schedule and publishes
 * gauges), {@link io.ferry.hostagent.signals.SignalsPrinter} ({@code ferry signals}) and
 * {@link io.ferry.hostagent.signals.VmProcessSampler} (per-VM CPU and memory for the qemu driver). Samplers read
 * through {@link io.ferry.hostagent.signals.HostFiles} and {@link io.ferry.hostagent.signals.CommandRunner}, so
 * tests run them on fixture trees and recorded smartctl output. Simulated hosts live in the {@code sim} package.
 */
package io.ferry.hostagent.signals;
