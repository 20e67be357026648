package io.ferry.policies.snapshot;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalDouble;

/** Samples of one signal in time order (sorted on construction). */
public record TimeSeries(List<Sample> samples) {

    public static final TimeSeries EMPTY = new TimeSeries(List.of());

    public TimeSeries {
        List<Sample> sorted = new ArrayList<>(samples);
        sorted.sort(Comparator.comparing(Sample::at));
        samples = List.copyOf(sorted);
    }

    public static TimeSeries constant(Instant from, Instant to, double value) {
        return new TimeSeries(List.of(new Sample(from, value), new Sample(to, value)));
    }

    public boolean isEmpty() {
        return samples.isEmpty();
    }

    public OptionalDouble latest() {
        return samples.isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(samples.get(samples.size() - 1).value());
    }

    /** The value of the last sample at or before {@code at}; empty if the series starts later. */
    public OptionalDouble valueAt(Instant at) {
        int lo = 0;
        int hi = samples.size() - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (samples.get(mid).at().isAfter(at)) {
                hi = mid - 1;
            } else {
                found = mid;
                lo = mid + 1;
            }
        }
        return found < 0 ? OptionalDouble.empty() : OptionalDouble.of(samples.get(found).value());
    }

    /** Samples at or after {@code from}. */
    public List<Sample> since(Instant from) {
        return samples.stream().filter(s -> !s.at().isBefore(from)).toList();
    }
}
