package io.ferry.benchmarks;

import io.ferry.policies.snapshot.Host;
import io.ferry.policies.snapshot.HostMode;
import io.ferry.policies.snapshot.PowerState;
import io.ferry.policies.snapshot.Sample;
import io.ferry.policies.snapshot.Snapshot;
import io.ferry.policies.snapshot.TimeSeries;
import io.ferry.policies.snapshot.Vm;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Seeded synthetic clusters for benchmarks. Hosts come in two sizes with the same CPU:memory ratio (32 cores /
 * 256 GiB and 64 cores / 512 GiB), so perfectly divisible load could make every host equally utilised: the fluid
 * lower bound of the imbalance is 0. VMs land on a "hot" fifth of the hosts three times as often as on the rest.
 */
public final class SyntheticCluster {
    public static final Instant NOW = Instant.parse("2026-11-26T23:00:00Z");
    private static final Set<String> FEATURES = Set.of("avx2", "sse4_2");

    private SyntheticCluster() {
    }

    /**
     * @param vms               VMs to place (a VM that finds no room after 20 tries is dropped)
     * @param uniformHosts      all hosts 32 cores / 256 GiB (for packing bounds) instead of two sizes
     * @param skewed            place VMs preferentially on a hot fifth of the hosts
     */
    public static Snapshot generate(long seed, int hosts, int vms, boolean uniformHosts, boolean skewed) {
        Random r = new Random(seed);
        int[] cores = new int[hosts];
        long[] memory = new long[hosts];
        double[] cpuUsed = new double[hosts];
        long[] memoryAllocated = new long[hosts];
        long[] memoryUsed = new long[hosts];
        for (int h = 0; h < hosts; h++) {
            boolean big = !uniformHosts && r.nextInt(3) == 0;
            cores[h] = big ? 64 : 32;
            memory[h] = big ? 524_288 : 262_144;
        }
        List<Vm> vmList = new ArrayList<>(vms);
        int hot = Math.max(1, hosts / 5);
        for (int v = 0; v < vms; v++) {
            double cpu = 0.1 + r.nextDouble() * r.nextDouble() * 3.9;
            long mem = 1024L << r.nextInt(5);
            long used = (long) (mem * (0.4 + 0.6 * r.nextDouble()));
            for (int attempt = 0; attempt < 20; attempt++) {
                int h = skewed && r.nextInt(4) != 0 ? r.nextInt(hot) : r.nextInt(hosts);
                if (cpuUsed[h] + cpu <= 0.95 * cores[h] && memoryAllocated[h] + mem <= memory[h]) {
                    cpuUsed[h] += cpu;
                    memoryAllocated[h] += mem;
                    memoryUsed[h] += used;
                    vmList.add(new Vm(String.format("vm%06d", v), hostName(h), (int) Math.ceil(cpu), mem, cpu, used,
                            r.nextDouble() * 40, Map.of(), Set.of("avx2"), null));
                    break;
                }
            }
        }
        List<Host> hostList = new ArrayList<>(hosts);
        for (int h = 0; h < hosts; h++) {
            double util = cpuUsed[h] / cores[h];
            TimeSeries cpu = new TimeSeries(List.of(new Sample(NOW.minus(Duration.ofHours(1)), util),
                    new Sample(NOW.minus(Duration.ofMinutes(30)), util), new Sample(NOW, util)));
            hostList.add(new Host(hostName(h), cores[h], memory[h], "EPYC-Milan", FEATURES, Map.of(), PowerState.ON,
                    HostMode.NORMAL, cpu, memoryUsed[h], TimeSeries.EMPTY, List.of(), "7.2.0"));
        }
        return new Snapshot(NOW, hostList, vmList, List.of());
    }

    static String hostName(int h) {
        return String.format("h%05d", h);
    }
}
