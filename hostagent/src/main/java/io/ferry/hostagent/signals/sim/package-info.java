/**
 * Signals of simulated hosts, in the same shape real hosts report: {@link io.ferry.hostagent.signals.sim.SimHost}
 * derives them from VM demand and a {@link io.ferry.hostagent.signals.sim.ThermalModel}, and a scenario file
 * ({@link io.ferry.hostagent.signals.sim.ScenarioParser}, format in docs/scenarios.md) played by a
 * {@link io.ferry.hostagent.signals.sim.ScenarioPlayer} makes hosts heat up, disks fail and load swing over time.
 */
package io.ferry.hostagent.signals.sim;
