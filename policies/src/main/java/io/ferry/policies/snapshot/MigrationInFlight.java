package io.ferry.policies.snapshot;

import java.util.Objects;

/** A migration already running when the snapshot was taken; it counts against the concurrency caps. */
public record MigrationInFlight(String vm, String from, String to) {
    public MigrationInFlight {
        Objects.requireNonNull(vm, "vm");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
    }
}
