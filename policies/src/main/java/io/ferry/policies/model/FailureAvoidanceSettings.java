package io.ferry.policies.model;

import java.util.Objects;

/** Failure avoidance: quarantine and evacuate hosts that run hot or whose disks are failing. */
public record FailureAvoidanceSettings(boolean enabled, TemperatureSettings temperature, SmartSettings smart) {

    public static final FailureAvoidanceSettings DEFAULTS =
            new FailureAvoidanceSettings(true, TemperatureSettings.DEFAULTS, SmartSettings.DEFAULTS);

    public FailureAvoidanceSettings {
        Objects.requireNonNull(temperature, "failureAvoidance.temperature");
        Objects.requireNonNull(smart, "failureAvoidance.smart");
    }
}
