package io.ferry.policies.snapshot;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A VM as the planner sees it.
 *
 * @param memoryMiB      configured memory: what a host must have free to receive it
 * @param cpuUsageCores  measured CPU use in cores
 * @param memoryUsedMiB  measured memory in use (what a migration copies)
 * @param dirtyRateMiBps measured page-dirtying rate
 * @param lastMigratedAt null when never migrated
 * @param diskMiB        size of its local disks: what a migration with storage copies besides memory (0: none, or
 *                       on shared storage)
 */
public record Vm(
        String name,
        String host,
        int vcpus,
        long memoryMiB,
        double cpuUsageCores,
        long memoryUsedMiB,
        double dirtyRateMiBps,
        Map<String, String> labels,
        Set<String> cpuFeatures,
        Instant lastMigratedAt,
        long diskMiB) {

    /** A VM without local disks. */
    public Vm(String name, String host, int vcpus, long memoryMiB, double cpuUsageCores, long memoryUsedMiB,
              double dirtyRateMiBps, Map<String, String> labels, Set<String> cpuFeatures, Instant lastMigratedAt) {
        this(name, host, vcpus, memoryMiB, cpuUsageCores, memoryUsedMiB, dirtyRateMiBps, labels, cpuFeatures,
                lastMigratedAt, 0);
    }

    public Vm {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(host, "host");
        labels = Map.copyOf(labels);
        cpuFeatures = Set.copyOf(cpuFeatures);
        if (vcpus <= 0 || memoryMiB <= 0 || cpuUsageCores < 0 || memoryUsedMiB < 0 || dirtyRateMiBps < 0
                || diskMiB < 0) {
            throw new IllegalArgumentException("vm " + name + ": sizes must be positive and usage not negative");
        }
    }

    public Vm onHost(String value, Instant migratedAt) {
        return new Vm(name, value, vcpus, memoryMiB, cpuUsageCores, memoryUsedMiB, dirtyRateMiBps, labels,
                cpuFeatures, migratedAt, diskMiB);
    }
}
