package io.ferry.policies.snapshot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** JSON mapping of hosts, disks and VMs. */
final class SnapshotParts {
    private SnapshotParts() {
    }

    static Optional<Host> host(JsonFields f, JsonNode node, String path) {
        if (!node.isObject()) {
            f.error(path, "expected an object");
            return Optional.empty();
        }
        String name = f.string(node, path, "name", true);
        long cores = f.whole(node, path, "cpuCores", 0, true);
        long memory = f.whole(node, path, "memoryMiB", 0, true);
        if (cores <= 0 && node.has("cpuCores")) {
            f.error(path + ".cpuCores", "must be at least 1");
        }
        if (memory <= 0 && node.has("memoryMiB")) {
            f.error(path + ".memoryMiB", "must be at least 1");
        }
        List<Disk> disks = new ArrayList<>();
        List<JsonNode> diskNodes = f.array(node, path, "disks");
        for (int i = 0; i < diskNodes.size(); i++) {
            disk(f, diskNodes.get(i), path + ".disks[" + i + "]").ifPresent(disks::add);
        }
        // Read every field before deciding, so that all problems of the host are reported at once.
        String cpuModel = f.string(node, path, "cpuModel", false);
        var features = f.strings(node, path, "cpuFeatures");
        var labels = f.labels(node, path, "labels");
        PowerState power = f.enumValue(node, path, "power", PowerState.class, PowerState.ON);
        HostMode mode = f.enumValue(node, path, "mode", HostMode.class, HostMode.NORMAL);
        TimeSeries cpu = f.series(node, path, "cpuUtilization");
        long memoryUsed = f.whole(node, path, "memoryUsedMiB", 0, false);
        TimeSeries temperature = f.series(node, path, "temperatureC");
        String hypervisor = f.string(node, path, "hypervisorVersion", false);
        Host host = name == null || cores <= 0 || memory <= 0 ? null : new Host(name, (int) cores, memory, cpuModel,
                features, labels, power, mode, cpu, memoryUsed, temperature, disks, hypervisor);
        return Optional.ofNullable(host);
    }

    private static Optional<Disk> disk(JsonFields f, JsonNode node, String path) {
        String device = f.string(node, path, "device", true);
        if (device == null) {
            return Optional.empty();
        }
        return Optional.of(new Disk(device, f.bool(node, path, "smartPassed", true),
                f.series(node, path, "reallocatedSectors"), f.whole(node, path, "pendingSectors", 0, false),
                f.bool(node, path, "nvmeCriticalWarning", false),
                (int) (node.hasNonNull("nvmePercentageUsed") ? f.whole(node, path, "nvmePercentageUsed", -1, false)
                        : -1)));
    }

    static Optional<Vm> vm(JsonFields f, JsonNode node, String path) {
        if (!node.isObject()) {
            f.error(path, "expected an object");
            return Optional.empty();
        }
        String name = f.string(node, path, "name", true);
        String host = f.string(node, path, "host", true);
        long vcpus = f.whole(node, path, "vcpus", 0, true);
        long memory = f.whole(node, path, "memoryMiB", 0, true);
        if ((vcpus <= 0 && node.has("vcpus")) || (memory <= 0 && node.has("memoryMiB"))) {
            f.error(path, "vcpus and memoryMiB must be at least 1");
        }
        Instant lastMigrated = f.instant(node.get("lastMigratedAt"), path + ".lastMigratedAt");
        if (name == null || host == null || vcpus <= 0 || memory <= 0) {
            return Optional.empty();
        }
        return Optional.of(new Vm(name, host, (int) vcpus, memory, f.number(node, path, "cpuUsageCores", 0, false),
                f.whole(node, path, "memoryUsedMiB", memory, false), f.number(node, path, "dirtyRateMiBps", 0, false),
                f.labels(node, path, "labels"), f.strings(node, path, "cpuFeatures"), lastMigrated,
                f.whole(node, path, "diskMiB", 0, false)));
    }

    static void writeHost(ObjectNode o, Host h) {
        o.put("name", h.name()).put("cpuCores", h.cpuCores()).put("memoryMiB", h.memoryMiB())
                .put("cpuModel", h.cpuModel());
        SnapshotJson.putStrings(o, "cpuFeatures", h.cpuFeatures());
        SnapshotJson.putLabels(o, "labels", h.labels());
        o.put("power", h.power().jsonName()).put("mode", h.mode().jsonName());
        if (h.hypervisorVersion() != null) {
            o.put("hypervisorVersion", h.hypervisorVersion());
        }
        SnapshotJson.putSeries(o, "cpuUtilization", h.cpuUtilization());
        o.put("memoryUsedMiB", h.memoryUsedMiB());
        SnapshotJson.putSeries(o, "temperatureC", h.temperatureC());
        ArrayNode disks = o.putArray("disks");
        for (Disk d : h.disks()) {
            ObjectNode disk = disks.addObject().put("device", d.device()).put("smartPassed", d.smartPassed());
            SnapshotJson.putSeries(disk, "reallocatedSectors", d.reallocatedSectors());
            disk.put("pendingSectors", d.pendingSectors()).put("nvmeCriticalWarning", d.nvmeCriticalWarning());
            if (d.nvmePercentageUsed() >= 0) {
                disk.put("nvmePercentageUsed", d.nvmePercentageUsed());
            }
        }
    }

    static void writeVm(ObjectNode o, Vm v) {
        o.put("name", v.name()).put("host", v.host()).put("vcpus", v.vcpus()).put("memoryMiB", v.memoryMiB())
                .put("cpuUsageCores", v.cpuUsageCores()).put("memoryUsedMiB", v.memoryUsedMiB())
                .put("dirtyRateMiBps", v.dirtyRateMiBps());
        if (v.diskMiB() > 0) {
            o.put("diskMiB", v.diskMiB());
        }
        SnapshotJson.putLabels(o, "labels", v.labels());
        SnapshotJson.putStrings(o, "cpuFeatures", v.cpuFeatures());
        if (v.lastMigratedAt() == null) {
            o.putNull("lastMigratedAt");
        } else {
            o.put("lastMigratedAt", v.lastMigratedAt().toString());
        }
    }
}
