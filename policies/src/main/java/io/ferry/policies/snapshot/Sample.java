package io.ferry.policies.snapshot;

import java.time.Instant;
import java.util.Objects;

/** One measurement of a time series. */
public record Sample(Instant at, double value) {
    public Sample {
        Objects.requireNonNull(at, "at");
    }
}
