package io.ferry.policies.model;

import java.time.Duration;

/**
 * Temperature thresholds in degrees Celsius.
 *
 * @param warnC         above this the host is quarantined (no new VMs) but not evacuated
 * @param evacuateC     above this, or predicted above it within {@code predictWindow}, the host is evacuated
 * @param predictWindow how far ahead the linear temperature trend is extrapolated; zero disables prediction
 */
public record TemperatureSettings(double warnC, double evacuateC, Duration predictWindow) {

    public static final TemperatureSettings DEFAULTS = new TemperatureSettings(80, 90, Duration.ofMinutes(10));

    public TemperatureSettings {
        Require.inRange("failureAvoidance.temperature.warnC", warnC, 0, 150);
        Require.inRange("failureAvoidance.temperature.evacuateC", evacuateC, 0, 150);
        Require.below("failureAvoidance.temperature.warnC", warnC, "evacuateC", evacuateC);
        Require.notNegative("failureAvoidance.temperature.predictWindow", predictWindow);
    }
}
