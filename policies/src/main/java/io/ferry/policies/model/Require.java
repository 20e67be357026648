package io.ferry.policies.model;

import java.time.Duration;
import java.util.Objects;

/** Compact-constructor checks shared by the policy records; each failure names the field and the rule. */
final class Require {
    private Require() {
    }

    static double inRange(String field, double value, double min, double max) {
        if (!(value >= min && value <= max)) {
            throw new IllegalArgumentException(field + " must be in " + min + ".." + max + ", got " + value);
        }
        return value;
    }

    static long inRange(String field, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(field + " must be in " + min + ".." + max + ", got " + value);
        }
        return value;
    }

    /** {@code low < high}, or a message naming both fields and values. */
    static void below(String lowField, double low, String highField, double high) {
        if (low >= high) {
            throw new IllegalArgumentException(lowField + " (" + low + ") must be below " + highField + " (" + high
                    + ")");
        }
    }

    static Duration positive(String field, Duration value) {
        Objects.requireNonNull(value, field);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(field + " must be positive, got " + value);
        }
        return value;
    }

    static Duration notNegative(String field, Duration value) {
        Objects.requireNonNull(value, field);
        if (value.isNegative()) {
            throw new IllegalArgumentException(field + " must not be negative, got " + value);
        }
        return value;
    }
}
