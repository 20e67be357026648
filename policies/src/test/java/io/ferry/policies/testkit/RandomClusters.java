package io.ferry.policies.testkit;

import io.ferry.policies.model.BalanceSettings;
import io.ferry.policies.model.ConsolidationSettings;
import io.ferry.policies.model.Limits;
import io.ferry.policies.model.Rule;
import io.ferry.policies.model.RuleType;
import io.ferry.policies.model.SchedulingPolicy;
import io.ferry.policies.model.TimeWindow;
import io.ferry.policies.model.Windows;
import io.ferry.policies.snapshot.Disk;
import io.ferry.policies.snapshot.HostMode;
import io.ferry.policies.snapshot.PowerState;
import io.ferry.policies.snapshot.TimeSeries;
import io.ferry.policies.snapshot.Vm;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/** Seeded random clusters and policies for property tests: every draw is reproducible from its seed. */
public final class RandomClusters {
    private static final String[] FEATURES = {"avx2", "avx512f", "sse4_2"};

    private RandomClusters() {
    }

    /** Shape of the clusters to draw. */
    public record Shape(boolean failures, boolean oddModes, boolean inFlight) {
        public static final Shape ANYTHING = new Shape(true, true, true);
        public static final Shape STABLE = new Shape(false, false, false);
    }

    public static TestCluster cluster(Random r, Shape shape) {
        TestCluster c = new TestCluster();
        int hosts = 3 + r.nextInt(10);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < hosts; i++) {
            String name = "h" + i;
            names.add(name);
            TestCluster.HostSpec h = c.host(name, 8 << r.nextInt(3), 16384L << r.nextInt(3));
            h.features(r.nextInt(4) == 0 ? new String[] {"avx2"} : FEATURES);
            h.labels(r.nextBoolean() ? Map.of("gpu", "true") : Map.of());
            if (shape.oddModes() && r.nextInt(8) == 0) {
                h.mode(HostMode.values()[1 + r.nextInt(3)]);
            }
            if (shape.oddModes() && r.nextInt(10) == 0) {
                h.power(r.nextBoolean() ? PowerState.STANDBY : PowerState.OFF);
            }
            if (shape.failures() && r.nextInt(6) == 0) {
                h.temperature(TestCluster.ramp(TestCluster.NOW, Duration.ofMinutes(10), 60 + r.nextInt(20),
                        70 + r.nextInt(30)));
            }
            if (shape.failures() && r.nextInt(10) == 0) {
                h.disks(new Disk("sda", r.nextBoolean(), TimeSeries.EMPTY, r.nextInt(3), false, -1));
            }
        }
        Map<String, Long> memoryLeft = new HashMap<>();
        Map<String, Double> cpuLeft = new HashMap<>();
        for (String n : names) {
            memoryLeft.put(n, c.host(n).memoryMiB);
            cpuLeft.put(n, c.host(n).cores * 0.85);
        }
        int vms = r.nextInt(4 * hosts + 1);
        List<String> placed = new ArrayList<>();
        for (int i = 0; i < vms; i++) {
            String host = names.get(r.nextInt(hosts));
            long memory = 1024L << r.nextInt(4);
            double cpu = Math.round(r.nextDouble() * 4 * 100) / 100.0;
            if (memoryLeft.get(host) < memory || cpuLeft.get(host) < cpu
                    || c.host(host).power != PowerState.ON) {
                continue;
            }
            memoryLeft.merge(host, -memory, Long::sum);
            cpuLeft.merge(host, -cpu, Double::sum);
            Map<String, String> labels = new HashMap<>();
            if (r.nextInt(4) == 0) {
                labels.put("app", "db");
            }
            if (r.nextInt(6) == 0 && !c.host(host).labels.isEmpty()) {
                labels.put("tier", "gpu");
            }
            Set<String> features = r.nextInt(5) == 0 ? Set.of("avx512f") : Set.of("avx2");
            if (!c.host(host).features.containsAll(features)) {
                features = Set.of();
            }
            Instant migrated = r.nextInt(4) == 0 ? TestCluster.NOW.minus(Duration.ofMinutes(r.nextInt(90))) : null;
            String name = "vm" + i;
            c.vm(new Vm(name, host, Math.max(1, (int) Math.ceil(cpu)), memory, cpu,
                    (long) (memory * (0.5 + r.nextDouble() / 2)), r.nextDouble() * 50, labels, features, migrated));
            placed.add(name + "@" + host);
        }
        if (shape.inFlight() && !placed.isEmpty() && r.nextBoolean()) {
            String[] vm = placed.get(r.nextInt(placed.size())).split("@");
            c.inFlight(vm[0], vm[1], names.get(r.nextInt(hosts)));
        }
        return c;
    }

    public static SchedulingPolicy policy(Random r) {
        int cluster = 1 + r.nextInt(12);
        Limits limits = new Limits(cluster, 1 + r.nextInt(cluster), 1 + r.nextInt(15),
                Duration.ofMinutes(r.nextInt(60)));
        double cpu = r.nextInt(11) / 10.0;
        BalanceSettings balance = new BalanceSettings(r.nextInt(8) != 0, 1 + r.nextInt(5), cpu, 1 - cpu,
                0.6 + r.nextInt(5) / 10.0, Duration.ofMinutes(r.nextInt(6)), r.nextInt(5) / 100.0);
        double low = 0.2 + r.nextInt(4) / 10.0;
        ConsolidationSettings consolidation = new ConsolidationSettings(r.nextBoolean(), low, low + 0.3,
                1 + r.nextInt(3), Duration.ofMinutes(r.nextInt(60)), Duration.ofMinutes(1 + r.nextInt(10)));
        Windows windows = r.nextInt(4) == 0
                ? new Windows(ZoneId.of("Europe/Paris"), List.of(TimeWindow.parse("Mon-Fri 09:00-17:00").orElseThrow()))
                : Windows.ANY_TIME;
        List<Rule> rules = new ArrayList<>();
        if (r.nextBoolean()) {
            rules.add(new Rule("db-spread", RuleType.VM_ANTI_AFFINITY, Map.of("app", "db"), Map.of()));
        }
        if (r.nextBoolean()) {
            rules.add(new Rule("gpu-only", RuleType.VM_HOST_AFFINITY, Map.of("tier", "gpu"), Map.of("gpu", "true")));
        }
        return SchedulingPolicy.defaults("random").withBalance(balance).withConsolidation(consolidation)
                .withLimits(limits).withWindows(windows).withRules(rules);
    }
}
