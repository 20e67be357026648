package io.ferry.hostagent.signals.sim;

import io.ferry.hostagent.signals.sim.HostModifiers.DiskChange;
import io.ferry.hostagent.signals.sim.HostModifiers.TemperatureOverride;
import io.ferry.hostagent.signals.sim.ScenarioEvent.LoadCurve;
import io.ferry.hostagent.signals.sim.ScenarioEvent.SmartChange;
import io.ferry.hostagent.signals.sim.ScenarioEvent.TemperatureRamp;
import io.ferry.hostagent.signals.sim.ScenarioEvent.TemperatureRelease;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Plays a {@link Scenario} against a clock: the scenario starts at the clock's instant when the player is made, and
 * {@link #modifiers(String)} says what it does to a host now. Stateless apart from the start, so any number of
 * simulated hosts and agents can ask from any thread, as often as they like.
 *
 * <p>For each host, the latest temperature event and the latest load event that have taken effect win; SMART
 * changes accumulate.
 */
public final class ScenarioPlayer {
  private final Scenario scenario;
  private final Clock clock;
  private final Instant start;

  public ScenarioPlayer(Scenario scenario, Clock clock) {
    this.scenario = Objects.requireNonNull(scenario, "scenario");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.start = clock.instant();
  }

  /** What the scenario does to {@code host} now. */
  public HostModifiers modifiers(String host) {
    return modifiersAt(host, Duration.between(start, clock.instant()));
  }

  /** What the scenario does to {@code host} at {@code sinceStart} into the scenario. */
  public HostModifiers modifiersAt(String host, Duration sinceStart) {
    ScenarioEvent temperature = null;
    LoadCurve load = null;
    List<DiskChange> smart = new ArrayList<>();
    for (ScenarioEvent event : scenario.events()) {
      if (event.at().compareTo(sinceStart) > 0) {
        break; // events are sorted by time
      }
      if (!event.appliesTo(host)) {
        continue;
      }
      if (event instanceof TemperatureRamp || event instanceof TemperatureRelease) {
        temperature = event;
      } else if (event instanceof LoadCurve curve) {
        load = curve;
      } else if (event instanceof SmartChange change) {
        smart.add(new DiskChange(change.disk(), change.delta()));
      }
    }
    double multiplier = load == null ? 1.0 : load.multiplierAfter(sinceStart.minus(load.at()));
    return new HostModifiers(multiplier, override(temperature, sinceStart), smart);
  }

  public Scenario scenario() {
    return scenario;
  }

  private static TemperatureOverride override(ScenarioEvent event, Duration sinceStart) {
    if (!(event instanceof TemperatureRamp ramp)) {
      return null;
    }
    Duration into = sinceStart.minus(ramp.at());
    double progress = ramp.over().isZero() ? 1 : Math.min(1, into.toNanos() / (double) ramp.over().toNanos());
    return new TemperatureOverride(ramp.celsius(), progress);
  }
}
