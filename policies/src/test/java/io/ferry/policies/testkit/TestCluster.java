package io.ferry.policies.testkit;

import io.ferry.policies.snapshot.Disk;
import io.ferry.policies.snapshot.Host;
import io.ferry.policies.snapshot.HostMode;
import io.ferry.policies.snapshot.MigrationInFlight;
import io.ferry.policies.snapshot.PowerState;
import io.ferry.policies.snapshot.Sample;
import io.ferry.policies.snapshot.Snapshot;
import io.ferry.policies.snapshot.TimeSeries;
import io.ferry.policies.snapshot.Vm;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds snapshots for tests. Host CPU and memory use default to the sum of their VMs' use, measured as a flat
 * history over the last hour (so imbalance counts as sustained); anything can be overridden per host.
 */
public final class TestCluster {
    public static final Instant NOW = Instant.parse("2026-11-26T23:00:00Z");

    private final Map<String, HostSpec> hosts = new LinkedHashMap<>();
    private final List<Vm> vms = new ArrayList<>();
    private final List<MigrationInFlight> inFlight = new ArrayList<>();
    private Instant now = NOW;

    /** Mutable description of one host. */
    public static final class HostSpec {
        final String name;
        int cores;
        long memoryMiB;
        Set<String> features = Set.of("avx2");
        Map<String, String> labels = Map.of();
        PowerState power = PowerState.ON;
        HostMode mode = HostMode.NORMAL;
        TimeSeries cpu;
        TimeSeries temperature = TimeSeries.EMPTY;
        List<Disk> disks = List.of();
        String hypervisor;

        HostSpec(String name, int cores, long memoryMiB) {
            this.name = name;
            this.cores = cores;
            this.memoryMiB = memoryMiB;
        }

        public HostSpec features(String... f) {
            features = Set.of(f);
            return this;
        }

        public HostSpec labels(Map<String, String> l) {
            labels = l;
            return this;
        }

        public HostSpec power(PowerState p) {
            power = p;
            return this;
        }

        public HostSpec mode(HostMode m) {
            mode = m;
            return this;
        }

        public HostSpec cpu(TimeSeries series) {
            cpu = series;
            return this;
        }

        public HostSpec temperature(TimeSeries series) {
            temperature = series;
            return this;
        }

        public HostSpec disks(Disk... d) {
            disks = List.of(d);
            return this;
        }

        public HostSpec hypervisor(String version) {
            hypervisor = version;
            return this;
        }
    }

    public TestCluster at(Instant value) {
        now = value;
        return this;
    }

    public HostSpec host(String name, int cores, long memoryMiB) {
        HostSpec spec = new HostSpec(name, cores, memoryMiB);
        hosts.put(name, spec);
        return spec;
    }

    public HostSpec host(String name) {
        return hosts.get(name);
    }

    /** A VM using {@code cpuCores} and all of its memory. */
    public TestCluster vm(String name, String host, double cpuCores, long memoryMiB) {
        return vm(new Vm(name, host, Math.max(1, (int) Math.ceil(cpuCores)), memoryMiB, cpuCores, memoryMiB, 10,
                Map.of(), Set.of("avx2"), null));
    }

    public TestCluster vm(Vm vm) {
        vms.add(vm);
        return this;
    }

    public TestCluster inFlight(String vm, String from, String to) {
        inFlight.add(new MigrationInFlight(vm, from, to));
        return this;
    }

    /** A flat series over the last {@code span}, one sample every 5 minutes. */
    public static TimeSeries flat(Instant now, Duration span, double value) {
        List<Sample> samples = new ArrayList<>();
        for (Instant t = now.minus(span); !t.isAfter(now); t = t.plus(Duration.ofMinutes(5))) {
            samples.add(new Sample(t, value));
        }
        return new TimeSeries(samples);
    }

    /** A straight line from {@code from} ({@code span} ago) to {@code to} (now), a sample a minute. */
    public static TimeSeries ramp(Instant now, Duration span, double from, double to) {
        List<Sample> samples = new ArrayList<>();
        long minutes = span.toMinutes();
        for (long i = 0; i <= minutes; i++) {
            samples.add(new Sample(now.minus(span).plus(Duration.ofMinutes(i)), from + (to - from) * i / minutes));
        }
        return new TimeSeries(samples);
    }

    public Snapshot build() {
        List<Host> out = new ArrayList<>();
        for (HostSpec h : hosts.values()) {
            double cpu = 0;
            long memory = 0;
            for (Vm vm : vms) {
                if (vm.host().equals(h.name)) {
                    cpu += vm.cpuUsageCores();
                    memory += vm.memoryUsedMiB();
                }
            }
            TimeSeries series = h.cpu != null ? h.cpu : flat(now, Duration.ofHours(1), cpu / h.cores);
            out.add(new Host(h.name, h.cores, h.memoryMiB, "EPYC-Milan", h.features, h.labels, h.power, h.mode,
                    series, memory, h.temperature, h.disks, h.hypervisor));
        }
        return new Snapshot(now, out, vms, inFlight);
    }
}
