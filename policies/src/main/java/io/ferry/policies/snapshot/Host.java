package io.ferry.policies.snapshot;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A host as the planner sees it.
 *
 * @param cpuUtilization    measured CPU utilisation (0..1 of all cores) over time
 * @param memoryUsedMiB     measured memory in use now
 * @param hypervisorVersion e.g. {@code 7.2.0}; null when unknown (then not compared)
 */
public record Host(
        String name,
        int cpuCores,
        long memoryMiB,
        String cpuModel,
        Set<String> cpuFeatures,
        Map<String, String> labels,
        PowerState power,
        HostMode mode,
        TimeSeries cpuUtilization,
        long memoryUsedMiB,
        TimeSeries temperatureC,
        List<Disk> disks,
        String hypervisorVersion) {

    public Host {
        Objects.requireNonNull(name, "name");
        if (cpuCores <= 0 || memoryMiB <= 0) {
            throw new IllegalArgumentException("host " + name + ": cpuCores and memoryMiB must be positive");
        }
        cpuModel = cpuModel == null ? "" : cpuModel;
        cpuFeatures = Set.copyOf(cpuFeatures);
        labels = Map.copyOf(labels);
        Objects.requireNonNull(power, "power");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(cpuUtilization, "cpuUtilization");
        Objects.requireNonNull(temperatureC, "temperatureC");
        disks = List.copyOf(disks);
    }

    public Host withMode(HostMode value) {
        return new Host(name, cpuCores, memoryMiB, cpuModel, cpuFeatures, labels, power, value, cpuUtilization,
                memoryUsedMiB, temperatureC, disks, hypervisorVersion);
    }

    public Host withPower(PowerState value) {
        return new Host(name, cpuCores, memoryMiB, cpuModel, cpuFeatures, labels, value, mode, cpuUtilization,
                memoryUsedMiB, temperatureC, disks, hypervisorVersion);
    }

    public Host withLoad(TimeSeries cpu, long memoryUsed) {
        return new Host(name, cpuCores, memoryMiB, cpuModel, cpuFeatures, labels, power, mode, cpu, memoryUsed,
                temperatureC, disks, hypervisorVersion);
    }
}
