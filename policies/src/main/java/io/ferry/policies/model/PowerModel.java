package io.ferry.policies.model;

/**
 * Linear host power model: an on host draws {@code idleWatts + (maxWatts - idleWatts) * cpuUtilisation}, a host
 * in standby draws {@code standbyWatts}, a host that is off draws nothing.
 */
public record PowerModel(double idleWatts, double maxWatts, double standbyWatts) {

    public static final PowerModel DEFAULTS = new PowerModel(150, 400, 10);

    public PowerModel {
        Require.inRange("power.idleWatts", idleWatts, 0, 100_000);
        Require.inRange("power.maxWatts", maxWatts, 0, 100_000);
        Require.inRange("power.standbyWatts", standbyWatts, 0, 100_000);
        if (idleWatts > maxWatts) {
            throw new IllegalArgumentException("power.idleWatts (" + idleWatts + ") must not exceed maxWatts ("
                    + maxWatts + ")");
        }
    }

    public double wattsOn(double cpuUtilisation) {
        return idleWatts + (maxWatts - idleWatts) * Math.max(0, Math.min(1, cpuUtilisation));
    }
}
