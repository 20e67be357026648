package io.ferry.hostagent.signals.sim;

import java.time.Duration;

/**
 * One event of a {@link Scenario}: something that happens to a host (or to every host, {@code "*"}) at a time
 * counted from the start of the scenario. {@code line} is where it was written, for messages.
 */
public sealed interface ScenarioEvent {
  /** Matches every host. */
  String ALL_HOSTS = "*";

  Duration at();

  String host();

  int line();

  default boolean appliesTo(String hostName) {
    return ALL_HOSTS.equals(host()) || host().equals(hostName);
  }

  /** From {@code at}, the temperature moves linearly from the model's value to {@code celsius} over {@code over}. */
  record TemperatureRamp(Duration at, String host, int line, double celsius, Duration over) implements ScenarioEvent {}

  /** From {@code at}, the temperature follows the thermal model again. */
  record TemperatureRelease(Duration at, String host, int line) implements ScenarioEvent {}

  /** At {@code at}, SMART counters of {@code disk} (every disk when null) grow and/or the verdict is forced. */
  record SmartChange(Duration at, String host, int line, String disk, SmartDelta delta) implements ScenarioEvent {}

  /**
   * From {@code at}, VM CPU demand is multiplied by a curve: {@code dayNight} swings from {@code low} (night, at
   * {@code at}) to {@code high} (day, half a period later) and back, as a cosine; {@code constant} stays at
   * {@code low} (= {@code high}).
   */
  record LoadCurve(Duration at, String host, int line, Curve curve, Duration period, double low, double high)
      implements ScenarioEvent {
    /** The shapes a load curve can take. */
    public enum Curve { DAY_NIGHT, CONSTANT }

    /** The multiplier {@code sinceEvent} after this event took effect. */
    public double multiplierAfter(Duration sinceEvent) {
      if (curve == Curve.CONSTANT) {
        return low;
      }
      double phase = 2 * Math.PI * sinceEvent.toNanos() / (double) period.toNanos();
      return low + (high - low) * (1 - Math.cos(phase)) / 2;
    }
  }
}
