package io.ferry.policies.model;

import java.time.Duration;

/**
 * Consolidation for power saving: pack VMs onto fewer hosts when utilisation is below {@code bandLow}, wake
 * hosts when it rises above {@code bandHigh}.
 *
 * @param bandLow         cluster utilisation below which hosts are emptied
 * @param bandHigh        utilisation no destination may exceed while packing; above it hosts are woken
 * @param minHostsOn      never fewer powered-on hosts than this
 * @param powerOffAfter   how long an empty host must stay idle before it is put in standby
 * @param powerOnLookback history used to predict demand when deciding to wake hosts
 */
public record ConsolidationSettings(
        boolean enabled,
        double bandLow,
        double bandHigh,
        int minHostsOn,
        Duration powerOffAfter,
        Duration powerOnLookback) {

    public static final ConsolidationSettings DEFAULTS =
            new ConsolidationSettings(false, 0.45, 0.81, 2, Duration.ofMinutes(40), Duration.ofMinutes(5));

    public ConsolidationSettings {
        Require.inRange("consolidation.band.low", bandLow, 0, 1);
        Require.inRange("consolidation.band.high", bandHigh, 0, 1);
        Require.below("consolidation.band.low", bandLow, "consolidation.band.high", bandHigh);
        Require.inRange("consolidation.minHostsOn", minHostsOn, 1, Integer.MAX_VALUE);
        Require.notNegative("consolidation.powerOffAfter", powerOffAfter);
        Require.positive("consolidation.powerOnLookback", powerOnLookback);
    }

    /**
     * Packing stops a quarter of the band below {@code bandHigh}, so a consolidated cluster does not sit right at
     * the wake threshold (hysteresis against flapping).
     */
    public double packingTarget() {
        return bandHigh - (bandHigh - bandLow) / 4;
    }
}
