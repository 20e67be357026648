package io.ferry.policies.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.policies.testkit.TestCluster;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SnapshotJsonTest {
    private static final String ISSUE_EXAMPLE = """
            {"now": "2026-11-26T23:00:00Z",
             "hosts": [{"name": "h1", "cpuCores": 32, "memoryMiB": 262144, "cpuModel": "EPYC-Milan",
                        "cpuFeatures": ["avx2"], "labels": {"rack": "r1"}, "power": "on", "mode": "normal",
                        "cpuUtilization": [["2026-11-26T22:55:00Z", 0.42], ["2026-11-26T23:00:00Z", 0.40]],
                        "memoryUsedMiB": 120000,
                        "temperatureC": [["2026-11-26T22:55:00Z", 61.0]],
                        "disks": [{"device": "sda", "smartPassed": true,
                                   "reallocatedSectors": [["2026-11-26T22:55:00Z", 0]], "pendingSectors": 0}]}],
             "vms":   [{"name": "vm1", "host": "h1", "vcpus": 4, "memoryMiB": 8192, "cpuUsageCores": 1.7,
                        "memoryUsedMiB": 6000, "dirtyRateMiBps": 12.0, "labels": {"app": "db"},
                        "cpuFeatures": ["avx2"], "lastMigratedAt": null}]}
            """;

    @Test
    void readsTheIssueExample() {
        SnapshotReadResult r = SnapshotJson.read("s.json", ISSUE_EXAMPLE);

        assertThat(r.errors()).isEmpty();
        Snapshot s = r.snapshot().orElseThrow();
        Host h = s.hosts().get(0);
        assertThat(h.cpuUtilization().latest().getAsDouble()).isEqualTo(0.40);
        assertThat(h.labels()).containsEntry("rack", "r1");
        assertThat(h.disks().get(0).nvmePercentageUsed()).isEqualTo(-1);
        Vm vm = s.vms().get(0);
        assertThat(vm.dirtyRateMiBps()).isEqualTo(12.0);
        assertThat(vm.lastMigratedAt()).isNull();
    }

    @Test
    void writerOutputReadsBackEqual() {
        TestCluster c = new TestCluster();
        c.host("a", 16, 65536).labels(Map.of("gpu", "true")).hypervisor("7.2.0")
                .temperature(TestCluster.flat(TestCluster.NOW, Duration.ofMinutes(10), 55))
                .disks(new Disk("nvme0", true, TestCluster.flat(TestCluster.NOW, Duration.ofMinutes(10), 2), 0, false,
                        12));
        c.host("b", 8, 32768).mode(HostMode.DRAINING).power(PowerState.ON);
        c.vm(new Vm("v", "a", 2, 4096, 1.5, 3000, 7.5, Map.of("app", "db"), Set.of("avx2"),
                TestCluster.NOW.minus(Duration.ofHours(2)), 20480));
        c.vm(new Vm("w", "b", 1, 1024, 0.5, 1000, 0, Map.of(), Set.of(), null));
        c.inFlight("v", "a", "b");
        Snapshot original = c.build();

        SnapshotReadResult back = SnapshotJson.read("s.json", SnapshotJson.write(original));

        assertThat(back.errors()).isEmpty();
        assertThat(back.snapshot()).contains(original);
    }

    @Test
    void reportsEveryProblemWithItsPath() {
        SnapshotReadResult r = SnapshotJson.read("s.json", """
                {"now": "yesterday",
                 "hosts": [{"name": "h1", "cpuCores": 0, "memoryMiB": 1024, "power": "sleeping"},
                           {"name": "h2", "cpuCores": 4, "memoryMiB": 1024, "cpuUtilization": [[1, 2, 3]]}],
                 "vms": [{"name": "v", "host": "nowhere", "vcpus": 1, "memoryMiB": 512}]}
                """);

        assertThat(r.snapshot()).isEmpty();
        assertThat(r.errors()).containsExactly(
                "s.json: now: expected an ISO-8601 instant such as 2026-11-26T23:00:00Z, got \"yesterday\"",
                "s.json: hosts[0].cpuCores: must be at least 1",
                "s.json: hosts[0].power: unknown value 'sleeping' (expected one of on, standby, off)",
                "s.json: hosts[1].cpuUtilization[0]: expected [timestamp, number], got [1,2,3]",
                "s.json: vms[0].host: unknown host 'nowhere'");
    }

    @Test
    void reportsSyntaxErrorsWithPosition() {
        SnapshotReadResult r = SnapshotJson.read("s.json", "{\"now\": \"2026-11-26T23:00:00Z\",\n \"hosts\": [}");

        assertThat(r.errors()).hasSize(1);
        assertThat(r.errors().get(0)).startsWith("s.json:2:").contains("JSON syntax error");
    }
}
