package io.ferry.hostagent.signals.sim;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A first-order thermal model of one host: the temperature moves towards
 * {@code ambient + riseAtFullLoad * utilisation} with the given time constant (63 % of the way after one time
 * constant), as a real heat sink does. Time is whatever instants the caller advances it to, so tests and
 * simulations run as fast as they like. Not thread-safe: one owner advances it.
 */
public final class ThermalModel {
  /** How a simulated host heats up; validated eagerly. */
  public record Parameters(double ambientCelsius, double riseAtFullLoadCelsius, Duration timeConstant) {
    public static final Parameters DEFAULT = new Parameters(22, 50, Duration.ofMinutes(2));

    public Parameters {
      Objects.requireNonNull(timeConstant, "timeConstant");
      if (!Double.isFinite(ambientCelsius) || !Double.isFinite(riseAtFullLoadCelsius) || riseAtFullLoadCelsius < 0) {
        throw new IllegalArgumentException("ambient and rise must be finite and the rise not negative, got "
            + ambientCelsius + " and " + riseAtFullLoadCelsius);
      }
      if (timeConstant.isNegative() || timeConstant.isZero()) {
        throw new IllegalArgumentException("time constant must be positive, got " + timeConstant);
      }
    }

    /** Where the temperature settles if the utilisation stays at {@code ratio}. */
    public double steadyCelsius(double ratio) {
      return ambientCelsius + riseAtFullLoadCelsius * Math.max(0, Math.min(1, ratio));
    }
  }

  private final Parameters parameters;
  private double celsius;
  private Instant at;

  /** Starts at ambient temperature at {@code start}. */
  public ThermalModel(Parameters parameters, Instant start) {
    this.parameters = Objects.requireNonNull(parameters, "parameters");
    this.celsius = parameters.ambientCelsius();
    this.at = Objects.requireNonNull(start, "start");
  }

  /**
   * Advances to {@code now}, the utilisation having been {@code utilizationRatio} since the last call, and returns the
   * temperature. Going back in time changes nothing.
   */
  public double advanceTo(Instant now, double utilizationRatio) {
    if (now.isAfter(at)) {
      double seconds = Duration.between(at, now).toNanos() / 1e9;
      double tau = parameters.timeConstant().toNanos() / 1e9;
      double target = parameters.steadyCelsius(utilizationRatio);
      // Exact solution of dT/dt = (target - T) / tau over the step: stable for any step length.
      celsius = target + (celsius - target) * Math.exp(-seconds / tau);
      at = now;
    }
    return celsius;
  }

  public double celsius() {
    return celsius;
  }
}
