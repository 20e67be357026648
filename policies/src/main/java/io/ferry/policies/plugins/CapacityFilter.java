package io.ferry.policies.plugins;

import io.ferry.policies.cluster.ClusterModel;
import io.ferry.policies.snapshot.Host;
import io.ferry.policies.snapshot.Vm;
import java.util.Locale;

/**
 * Memory is never committed past the host's capacity (counting every VM's configured memory), and CPU demand after
 * the move stays at or below {@code cpuCap} of the host's cores. When packing, {@code memoryUsedCap} also bounds the
 * measured memory in use (the consolidation band); otherwise it is 1.
 */
public final class CapacityFilter implements FilterPlugin {
    public static final String NAME = "capacity";
    private static final double EPSILON = 1e-9;

    private final double cpuCap;
    private final double memoryUsedCap;

    public CapacityFilter(double cpuCap, double memoryUsedCap) {
        this.cpuCap = cpuCap;
        this.memoryUsedCap = memoryUsedCap;
    }

    /** The plain hard constraint: {@code maxHostUtilization} for CPU, capacity for memory. */
    public static CapacityFilter forBalance(double maxHostUtilization) {
        return new CapacityFilter(maxHostUtilization, 1.0);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public FilterResult filter(ClusterModel model, int vm, int host) {
        Vm v = model.vm(vm);
        Host h = model.host(host);
        long memoryAfter = model.memoryAllocatedMiB(host) + v.memoryMiB();
        if (memoryAfter > h.memoryMiB()) {
            return FilterResult.reject(NAME, String.format(Locale.ROOT, "%s memory %d + %d > %d MiB", h.name(),
                    model.memoryAllocatedMiB(host), v.memoryMiB(), h.memoryMiB()));
        }
        double cpuAfter = model.cpuDemandCores(host) + v.cpuUsageCores();
        if (cpuAfter > cpuCap * h.cpuCores() + EPSILON) {
            return FilterResult.reject(NAME, String.format(Locale.ROOT, "%s CPU %.2f + %.2f cores > %.2f of %d cores",
                    h.name(), model.cpuDemandCores(host), v.cpuUsageCores(), cpuCap, h.cpuCores()));
        }
        double usedAfter = model.memoryUsedMiB(host) + v.memoryUsedMiB();
        if (usedAfter > memoryUsedCap * h.memoryMiB() + EPSILON) {
            return FilterResult.reject(NAME, String.format(Locale.ROOT, "%s memory in use %.0f + %d MiB > %.2f of %d MiB",
                    h.name(), model.memoryUsedMiB(host), v.memoryUsedMiB(), memoryUsedCap, h.memoryMiB()));
        }
        return FilterResult.PASS;
    }
}
