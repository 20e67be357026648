package io.ferry.policies.snapshot;

import java.util.Locale;

/** Host power state as reported by its power driver. */
public enum PowerState {
    ON, STANDBY, OFF;

    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
