package io.ferry.policies.snapshot;

/** Host power state as reported by its power driver. */
public enum PowerState {
    ON, STANDBY, OFF;

    public String jsonName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
