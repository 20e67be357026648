package io.ferry.policies.snapshot;

import java.util.Objects;

/**
 * Health of one disk.
 *
 * @param reallocatedSectors SMART reallocated-sector count over time
 * @param nvmePercentageUsed NVMe endurance estimate in percent, or -1 when not an NVMe disk / unknown
 */
public record Disk(String device, boolean smartPassed, TimeSeries reallocatedSectors, long pendingSectors,
                   boolean nvmeCriticalWarning, int nvmePercentageUsed) {
    public Disk {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(reallocatedSectors, "reallocatedSectors");
    }

    public static Disk healthy(String device) {
        return new Disk(device, true, TimeSeries.EMPTY, 0, false, -1);
    }
}
