package io.ferry.policies.model;

import java.time.Duration;

/**
 * Load balancing: spread measured CPU and memory utilisation across powered-on hosts.
 *
 * @param aggressiveness     1 (tolerate much imbalance) .. 5 (tolerate little); see {@link #toleratedImbalance()}
 * @param cpuWeight          weight of CPU in the imbalance; {@code cpuWeight + memoryWeight == 1}
 * @param memoryWeight       weight of memory in the imbalance
 * @param maxHostUtilization CPU demand a destination may reach after a move, as a fraction of its cores
 * @param sustainedFor       how long the imbalance must persist before balancing acts
 * @param minImprovement     minimum reduction of the source/destination utilisation gap a move must bring
 */
public record BalanceSettings(
        boolean enabled,
        int aggressiveness,
        double cpuWeight,
        double memoryWeight,
        double maxHostUtilization,
        Duration sustainedFor,
        double minImprovement) {

    public static final double WEIGHT_SUM_TOLERANCE = 1e-6;
    /** Tolerated imbalance (weighted standard deviation of utilisation) for aggressiveness 1..5. */
    private static final double[] TOLERATED = {0.20, 0.15, 0.10, 0.06, 0.03};

    public static final BalanceSettings DEFAULTS =
            new BalanceSettings(true, 3, 0.6, 0.4, 0.85, Duration.ofMinutes(3), 0.02);

    public BalanceSettings {
        Require.inRange("balance.aggressiveness", aggressiveness, 1, 5);
        Require.inRange("balance.weights.cpu", cpuWeight, 0, 1);
        Require.inRange("balance.weights.memory", memoryWeight, 0, 1);
        if (Math.abs(cpuWeight + memoryWeight - 1.0) > WEIGHT_SUM_TOLERANCE) {
            throw new IllegalArgumentException("balance.weights must sum to 1 (cpu " + cpuWeight + " + memory "
                    + memoryWeight + " = " + (cpuWeight + memoryWeight) + ")");
        }
        Require.inRange("balance.maxHostUtilization", maxHostUtilization, 0.05, 1.0);
        Require.notNegative("balance.sustainedFor", sustainedFor);
        Require.inRange("balance.minImprovement", minImprovement, 0, 1);
    }

    /** The imbalance above which balancing acts, from {@link #aggressiveness()}. */
    public double toleratedImbalance() {
        return toleratedImbalance(aggressiveness);
    }

    public static double toleratedImbalance(int aggressiveness) {
        return TOLERATED[aggressiveness - 1];
    }
}
