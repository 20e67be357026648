package io.ferry.policies.snapshot;

import java.util.Locale;

/**
 * Scheduling mode of a host. Only {@link #NORMAL} hosts receive VMs; {@link #DRAINING} hosts are emptied;
 * {@link #QUARANTINE} is set by failure avoidance; {@link #MAINTENANCE} is set by operators.
 */
public enum HostMode {
    NORMAL, MAINTENANCE, QUARANTINE, DRAINING;

    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
