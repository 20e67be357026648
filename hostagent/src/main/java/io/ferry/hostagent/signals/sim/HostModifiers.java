package io.ferry.hostagent.signals.sim;

import java.util.List;
import java.util.Objects;

/**
 * What a scenario does to one simulated host at one instant: a multiplier for its VMs' CPU demand, an optional
 * temperature override, and the SMART changes made so far. {@link #NONE} leaves the host as its models say.
 */
public record HostModifiers(double loadMultiplier, TemperatureOverride temperature, List<DiskChange> smartChanges) {
  public static final HostModifiers NONE = new HostModifiers(1.0, null, List.of());

  /**
   * A temperature pulled from the model's value towards {@code targetCelsius}: {@code progress} 0 is the model's
   * value, 1 is the target.
   */
  public record TemperatureOverride(double targetCelsius, double progress) {}

  /** A SMART change to one disk, or to every disk of the host when {@code disk} is null; in time order. */
  public record DiskChange(String disk, SmartDelta delta) {}

  public HostModifiers {
    smartChanges = List.copyOf(Objects.requireNonNull(smartChanges, "smartChanges"));
  }

  /** The temperature to report given what the thermal model says. */
  public double temperatureCelsius(double modelCelsius) {
    if (temperature == null) {
      return modelCelsius;
    }
    return modelCelsius + (temperature.targetCelsius() - modelCelsius) * temperature.progress();
  }

  /** Everything done so far to {@code disk}: events naming it and events naming no disk, in time order. */
  public SmartDelta smart(String disk) {
    SmartDelta total = SmartDelta.NONE;
    for (DiskChange change : smartChanges) {
      if (change.disk() == null || change.disk().equals(disk)) {
        total = total.then(change.delta());
      }
    }
    return total;
  }
}
