package io.ferry.policies.planner;

import io.ferry.policies.cluster.ClusterModel;
import io.ferry.policies.model.BalanceSettings;
import io.ferry.policies.snapshot.Host;
import io.ferry.policies.units.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.IntPredicate;

/**
 * Whether the imbalance persisted for {@code sustainedFor}: the CPU utilisation history of the balanced hosts is
 * read at {@value #CHECKPOINTS} evenly spaced instants from {@code now - sustainedFor} to now (each host's last
 * sample at or before the instant; memory is measured only now) and the imbalance must exceed the threshold at
 * every one of them. A host whose history starts later than the window makes the answer "not yet".
 */
final class SustainedImbalance {
    static final int CHECKPOINTS = 6;

    private SustainedImbalance() {
    }

    /** Empty when sustained, else why not. */
    static Optional<String> check(ClusterModel model, IntPredicate balanced, double threshold) {
        BalanceSettings b = model.policy().balance();
        Duration window = b.sustainedFor();
        if (window.isZero()) {
            return Optional.empty();
        }
        int n = 0;
        for (int h = 0; h < model.hostCount(); h++) {
            if (balanced.test(h)) {
                n++;
            }
        }
        for (int i = 0; i < CHECKPOINTS - 1; i++) {
            Instant at = model.now().minus(window).plus(window.multipliedBy(i).dividedBy(CHECKPOINTS - 1));
            double sc = 0;
            double scc = 0;
            double sm = 0;
            double smm = 0;
            for (int h = 0; h < model.hostCount(); h++) {
                if (!balanced.test(h)) {
                    continue;
                }
                Host host = model.host(h);
                double cpu;
                if (host.cpuUtilization().isEmpty()) {
                    cpu = model.cpuUtilisation(h);
                } else {
                    OptionalDouble v = host.cpuUtilization().valueAt(at);
                    if (v.isEmpty()) {
                        return Optional.of("history of " + host.name() + " starts after " + at
                                + ": imbalance not yet sustained for " + Durations.format(window));
                    }
                    cpu = v.getAsDouble();
                }
                double m = model.memoryUtilisation(h);
                sc += cpu;
                scc += cpu * cpu;
                sm += m;
                smm += m * m;
            }
            double imbalance = n < 2 ? 0 : b.cpuWeight() * ClusterFigures.stddev(n, sc, scc)
                    + b.memoryWeight() * ClusterFigures.stddev(n, sm, smm);
            if (imbalance <= threshold) {
                return Optional.of(String.format(Locale.ROOT,
                        "imbalance was %.3f <= %.3f at %s: not sustained for %s", imbalance, threshold, at,
                        Durations.format(window)));
            }
        }
        return Optional.empty();
    }
}
