package io.ferry.policies.planner;

import java.util.Locale;

/** A planned host power change with its reason. */
public record PowerAction(String host, Type action, String reason) {
    /** Standby puts an empty host to sleep; wake brings a standby host back. */
    public enum Type {
        STANDBY, WAKE;

        public String jsonName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
