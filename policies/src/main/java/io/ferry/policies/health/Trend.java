package io.ferry.policies.health;

import io.ferry.policies.snapshot.Sample;
import java.time.Instant;
import java.util.List;
import java.util.OptionalDouble;

/** Least-squares line through samples, used to extrapolate temperature and demand. */
public final class Trend {
    private Trend() {
    }

    /**
     * The value the line through {@code samples} reaches at {@code at}; empty with fewer than two samples or when
     * all samples share one timestamp.
     */
    public static OptionalDouble predict(List<Sample> samples, Instant at) {
        if (samples.size() < 2) {
            return OptionalDouble.empty();
        }
        Instant origin = samples.get(0).at();
        double n = samples.size();
        double sx = 0;
        double sy = 0;
        double sxx = 0;
        double sxy = 0;
        for (Sample s : samples) {
            double x = (s.at().toEpochMilli() - origin.toEpochMilli()) / 1000.0;
            sx += x;
            sy += s.value();
            sxx += x * x;
            sxy += x * s.value();
        }
        double denominator = n * sxx - sx * sx;
        if (Math.abs(denominator) < 1e-12) {
            return OptionalDouble.empty();
        }
        double slope = (n * sxy - sx * sy) / denominator;
        double intercept = (sy - slope * sx) / n;
        double x = (at.toEpochMilli() - origin.toEpochMilli()) / 1000.0;
        return OptionalDouble.of(intercept + slope * x);
    }
}
