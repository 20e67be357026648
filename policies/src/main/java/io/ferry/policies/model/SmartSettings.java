package io.ferry.policies.model;

/**
 * Disk health triggers. A threshold of 0 for a counter disables that trigger.
 *
 * @param reallocatedSectorsGrowth growth of the reallocated-sector count within the snapshot's history
 * @param pendingSectors           current pending-sector count
 * @param nvmePercentageUsed       NVMe "percentage used" endurance estimate, 1..255
 */
public record SmartSettings(
        boolean evacuateOnFailedHealth,
        long reallocatedSectorsGrowth,
        long pendingSectors,
        boolean nvmeCriticalWarning,
        int nvmePercentageUsed) {

    public static final SmartSettings DEFAULTS = new SmartSettings(true, 10, 1, true, 95);

    public SmartSettings {
        Require.inRange("failureAvoidance.smart.reallocatedSectorsGrowth", reallocatedSectorsGrowth, 0,
                Long.MAX_VALUE);
        Require.inRange("failureAvoidance.smart.pendingSectors", pendingSectors, 0, Long.MAX_VALUE);
        Require.inRange("failureAvoidance.smart.nvmePercentageUsed", nvmePercentageUsed, 0, 255);
    }
}
