package io.ferry.policies.planner;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.policies.model.ConsolidationSettings;
import io.ferry.policies.model.Limits;
import io.ferry.policies.model.MigrationSettings;
import io.ferry.policies.model.SchedulingPolicy;
import io.ferry.policies.model.TimeWindow;
import io.ferry.policies.model.Windows;
import io.ferry.policies.snapshot.Disk;
import io.ferry.policies.snapshot.HostMode;
import io.ferry.policies.snapshot.PowerState;
import io.ferry.policies.snapshot.Sample;
import io.ferry.policies.snapshot.TimeSeries;
import io.ferry.policies.snapshot.Vm;
import io.ferry.policies.testkit.TestCluster;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PlannerScenariosTest {
    private static final Instant NOW = TestCluster.NOW;
    private static final SchedulingPolicy ROOMY = SchedulingPolicy.defaults("t")
            .withLimits(new Limits(100, 100, 100, Duration.ofMinutes(30)));

    private final TestCluster cluster = new TestCluster();

    /** Host a carries 12 of 16 cores, b and c one core each. */
    private void skewed() {
        cluster.host("a", 16, 65536);
        cluster.host("b", 16, 65536);
        cluster.host("c", 16, 65536);
        for (int i = 0; i < 6; i++) {
            cluster.vm("a-vm" + i, "a", 2, 4096);
        }
        cluster.vm("b-vm", "b", 1, 4096).vm("c-vm", "c", 1, 4096);
    }

    @Test
    void balancesFromTheHottestHostWithinThePerHostCap() {
        skewed();

        Plan plan = Planner.plan(cluster.build(), SchedulingPolicy.defaults("t"));

        assertThat(plan.moves()).hasSize(2).allSatisfy(m -> {
            assertThat(m.from()).isEqualTo("a");
            assertThat(m.reason()).isEqualTo(MoveReason.BALANCE);
            assertThat(m.urgent()).isFalse();
            assertThat(m.explanation()).contains("imbalance", "> tolerated 0.100 (aggressiveness 3)", "gap narrowed");
        });
        assertThat(plan.moves()).extracting(Move::to).containsExactlyInAnyOrder("b", "c");
        assertThat(plan.after().imbalance()).isLessThan(plan.before().imbalance());
    }

    @Test
    void withStorageAMoveCountsTheVmsDisksAndTheCheapestVmGoes() {
        cluster.host("a", 16, 65536);
        cluster.host("b", 16, 65536);
        cluster.host("c", 16, 65536);
        for (int i = 0; i < 6; i++) {
            long disks = i < 5 ? 200 * 1024 : 0; // a-vm5 alone has no local disks
            cluster.vm(new Vm("a-vm" + i, "a", 2, 4096, 2, 4096, 10, Map.of(), Set.of("avx2"), null, disks));
        }
        cluster.vm("b-vm", "b", 1, 4096).vm("c-vm", "c", 1, 4096);
        SchedulingPolicy oneMove = ROOMY.withLimits(new Limits(100, 100, 1, Duration.ofMinutes(30)));
        MigrationSettings shared = oneMove.migration();
        MigrationSettings copyDisks = new MigrationSettings(shared.strategy(), shared.maxDowntime(),
                shared.bandwidthBytesPerSecond(), shared.encrypted(), shared.allowPostCopy(), true);

        Plan sharedStorage = Planner.plan(cluster.build(), oneMove);
        Plan withStorage = Planner.plan(cluster.build(), oneMove.withMigration(copyDisks));

        // on shared storage the disks stay put: every VM of a costs the same, and the first is taken
        assertThat(sharedStorage.moves()).singleElement().satisfies(m -> {
            assertThat(m.vm()).isNotEqualTo("a-vm5");
            assertThat(m.explanation()).doesNotContain("of disks");
        });
        // copying 200 GiB at 1 GiB/s makes the others' moves cost the most: the VM without disks goes
        assertThat(withStorage.moves()).singleElement().satisfies(m -> {
            assertThat(m.vm()).isEqualTo("a-vm5");
            assertThat(m.from()).isEqualTo("a");
        });
    }

    @Test
    void leavesAClusterWithinToleranceAlone() {
        cluster.host("a", 16, 65536);
        cluster.host("b", 16, 65536);
        cluster.vm("v1", "a", 4, 8192).vm("v2", "b", 3, 8192);

        Plan plan = Planner.plan(cluster.build(), ROOMY);

        assertThat(plan.moves()).isEmpty();
        assertThat(plan.notes()).anyMatch(n -> n.contains("within tolerated 0.100"));
    }

    @Test
    void waitsUntilTheImbalanceIsSustained() {
        skewed();
        // a was as idle as the others until a minute ago.
        List<Sample> samples = new ArrayList<>();
        for (int m = 60; m >= 1; m--) {
            samples.add(new Sample(NOW.minus(Duration.ofMinutes(m)), m > 1 ? 0.06 : 0.75));
        }
        samples.add(new Sample(NOW, 0.75));
        cluster.host("a").cpu(new TimeSeries(samples));

        Plan plan = Planner.plan(cluster.build(), ROOMY);

        assertThat(plan.moves()).isEmpty();
        assertThat(plan.notes()).anyMatch(n -> n.contains("not sustained for 3m"));
    }

    @Test
    void nonUrgentMovesWaitForAWindowButEvacuationsDoNot() {
        skewed();
        cluster.host("d", 16, 65536).temperature(TestCluster.flat(NOW, Duration.ofMinutes(10), 95));
        cluster.vm("d-vm", "d", 1, 4096);
        Instant fridayNoon = Instant.parse("2026-11-27T12:00:00Z");
        cluster.at(fridayNoon);
        SchedulingPolicy nights = ROOMY.withWindows(new Windows(ZoneId.of("UTC"),
                List.of(TimeWindow.parse("Mon-Fri 20:00-06:00").orElseThrow())));

        Plan plan = Planner.plan(cluster.build(), nights);

        assertThat(plan.moves()).singleElement().satisfies(m -> {
            assertThat(m.vm()).isEqualTo("d-vm");
            assertThat(m.reason()).isEqualTo(MoveReason.EVACUATE_TEMPERATURE);
            assertThat(m.urgent()).isTrue();
        });
        assertThat(plan.notes()).anyMatch(n -> n.contains("outside every non-urgent window"));
    }

    @Test
    void evacuatesAndQuarantinesAHotHost() {
        cluster.host("hot", 16, 65536).temperature(TestCluster.flat(NOW, Duration.ofMinutes(10), 93));
        cluster.host("x", 16, 65536);
        cluster.host("y", 16, 65536);
        cluster.vm("v1", "hot", 2, 4096).vm("v2", "hot", 1, 4096).vm("v3", "hot", 0.5, 4096);

        Plan plan = Planner.plan(cluster.build(), ROOMY);

        assertThat(plan.modes()).singleElement().satisfies(m -> {
            assertThat(m.host()).isEqualTo("hot");
            assertThat(m.mode()).isEqualTo(HostMode.QUARANTINE);
            assertThat(m.reason()).startsWith("temperature 93.0 C > evacuateC 90.0 C");
        });
        assertThat(plan.moves()).extracting(Move::vm).containsExactly("v1", "v2", "v3");
        assertThat(plan.moves()).allSatisfy(m -> {
            assertThat(m.from()).isEqualTo("hot");
            assertThat(m.reason()).isEqualTo(MoveReason.EVACUATE_TEMPERATURE);
            assertThat(m.explanation()).startsWith("urgent evacuate-temperature from hot: temperature 93.0 C > evacuateC 90.0 C; to ");
        });
        assertThat(plan.moves()).extracting(Move::order).containsExactly(1, 2, 3);
    }

    @Test
    void warmHostIsOnlyQuarantined() {
        cluster.host("warm", 16, 65536).temperature(TestCluster.flat(NOW, Duration.ofMinutes(10), 82));
        cluster.host("x", 16, 65536);
        cluster.vm("v1", "warm", 1, 4096).vm("v2", "x", 1, 4096);

        Plan plan = Planner.plan(cluster.build(), ROOMY);

        assertThat(plan.moves()).isEmpty();
        assertThat(plan.modes()).singleElement().satisfies(m -> assertThat(m.reason()).contains("warnC", "not evacuated"));
    }

    @Test
    void failingDiskEvacuatesWithSmartReason() {
        cluster.host("bad", 16, 65536).disks(new Disk("sda", true, TimeSeries.EMPTY, 4, false, -1));
        cluster.host("x", 16, 65536);
        cluster.vm("v1", "bad", 1, 4096);

        Plan plan = Planner.plan(cluster.build(), ROOMY);

        assertThat(plan.moves()).singleElement().satisfies(m -> {
            assertThat(m.reason()).isEqualTo(MoveReason.EVACUATE_SMART);
            assertThat(m.explanation()).contains("disk sda: 4 pending sectors (threshold 1)");
        });
    }

    @Test
    void drainingHostIsEmptiedUrgentlyEvenDuringCooldown() {
        cluster.host("old", 16, 65536).mode(HostMode.DRAINING);
        cluster.host("new", 16, 65536);
        cluster.vm(new Vm("v", "old", 1, 4096, 1, 4096, 5, Map.of(), Set.of("avx2"), NOW.minusSeconds(60)));

        Plan plan = Planner.plan(cluster.build(), ROOMY);

        assertThat(plan.moves()).singleElement().satisfies(m -> {
            assertThat(m.reason()).isEqualTo(MoveReason.DRAIN);
            assertThat(m.to()).isEqualTo("new");
        });
    }

    @Test
    void explainsVmsThatCouldNotBeEvacuated() {
        cluster.host("hot", 16, 65536).temperature(TestCluster.flat(NOW, Duration.ofMinutes(10), 95));
        cluster.host("small", 16, 8192);
        cluster.vm("big", "hot", 1, 16384);

        Plan plan = Planner.plan(cluster.build(), ROOMY, PlannerOptions.EXPLAIN);

        assertThat(plan.moves()).isEmpty();
        assertThat(plan.candidates()).singleElement().satisfies(c -> {
            assertThat(c.vm()).isEqualTo("big");
            assertThat(c.purpose()).isEqualTo(MoveReason.EVACUATE_TEMPERATURE);
            assertThat(c.reason()).isEqualTo("no destination among 1 host(s) checked; capacity rejected 1 "
                    + "(e.g. small memory 0 + 16384 > 8192 MiB)");
        });
        assertThat(plan.notes()).anyMatch(n -> n.startsWith("hot: 1 of 1 VM(s) not moved"));
    }

    @Test
    void explainsCandidatesHeldBackByCooldown() {
        skewed();
        List<Vm> vms = new ArrayList<>(cluster.build().vms());
        TestCluster recent = new TestCluster();
        recent.host("a", 16, 65536);
        recent.host("b", 16, 65536);
        recent.host("c", 16, 65536);
        vms.forEach(v -> recent.vm(v.host().equals("a") ? v.onHost("a", NOW.minus(Duration.ofMinutes(5))) : v));

        Plan plan = Planner.plan(recent.build(), ROOMY, PlannerOptions.EXPLAIN);

        assertThat(plan.moves()).isEmpty();
        assertThat(plan.candidates()).filteredOn(c -> c.host().equals("a")).hasSize(6)
                .allSatisfy(c -> assertThat(c.reason()).startsWith("cooldown: ").contains("until 2026-11-26T23:25:00Z"));
        assertThat(plan.candidates()).filteredOn(c -> c.host().equals("b"))
                .allSatisfy(c -> assertThat(c.reason()).startsWith("best improvement 0.0000 < required"));
    }

    private static SchedulingPolicy consolidating() {
        return ROOMY.withConsolidation(new ConsolidationSettings(true, 0.45, 0.81, 2, Duration.ofMinutes(40),
                Duration.ofMinutes(5)));
    }

    @Test
    void consolidatesLightlyLoadedHostsDownToMinHostsOn() {
        for (String h : List.of("h1", "h2", "h3", "h4")) {
            cluster.host(h, 16, 65536);
            cluster.vm(h + "-vm", h, 2, 8192);
        }

        Plan plan = Planner.plan(cluster.build(), consolidating());

        assertThat(plan.moves()).hasSize(2).allSatisfy(m -> {
            assertThat(m.reason()).isEqualTo(MoveReason.CONSOLIDATE);
            assertThat(m.explanation()).contains("< band.low 0.45", "for standby");
        });
        assertThat(plan.moves()).extracting(Move::from).doesNotHaveDuplicates();
        assertThat(plan.power()).isEmpty(); // emptied hosts sleep only after powerOffAfter idle
    }

    @Test
    void balancesTheHostsThatMustStayOnWhenNothingCanBeEmptied() {
        cluster.host("a", 16, 65536);
        cluster.host("b", 16, 65536);
        for (int i = 0; i < 5; i++) {
            cluster.vm("a-vm" + i, "a", 1.5, 4096);
        }
        cluster.vm("b-vm", "b", 0.2, 4096);

        Plan plan = Planner.plan(cluster.build(), consolidating());

        assertThat(plan.notes()).anyMatch(n -> n.contains("keeping minHostsOn 2"));
        assertThat(plan.moves()).isNotEmpty().allSatisfy(m -> {
            assertThat(m.reason()).isEqualTo(MoveReason.BALANCE);
            assertThat(m.to()).isEqualTo("b");
        });
    }

    @Test
    void leavesHostsWithMigrationsInFlightOutOfConsolidation() {
        for (String h : List.of("h1", "h2", "h3", "h4")) {
            cluster.host(h, 16, 65536);
            cluster.vm(h + "-vm", h, 2, 8192);
        }
        cluster.vm("moving", "h1", 0.5, 1024).inFlight("moving", "h1", "h4");

        Plan plan = Planner.plan(cluster.build(), consolidating());

        assertThat(plan.moves()).isNotEmpty().allSatisfy(m -> {
            assertThat(m.from()).isIn("h2", "h3");
            assertThat(m.vm()).isNotEqualTo("moving");
        });
    }

    @Test
    void putsAnIdleEmptyHostInStandbyAndReportsSavedWatts() {
        cluster.host("busy1", 16, 65536);
        cluster.host("busy2", 16, 65536);
        cluster.host("idle", 16, 65536);
        cluster.vm("v1", "busy1", 6, 16384).vm("v2", "busy2", 6, 16384);

        Plan plan = Planner.plan(cluster.build(), consolidating());

        assertThat(plan.power()).singleElement().satisfies(p -> {
            assertThat(p.host()).isEqualTo("idle");
            assertThat(p.action()).isEqualTo(PowerAction.Type.STANDBY);
            assertThat(p.reason()).contains("idle (CPU < 10%) for 40m", "saves ~140 W");
        });
        assertThat(plan.after().hostsOn()).isEqualTo(2);
        assertThat(plan.after().estimatedWatts()).isLessThan(plan.before().estimatedWatts());
    }

    @Test
    void wakesStandbyHostsWhenDemandRisesAboveTheBand() {
        cluster.host("on1", 16, 65536);
        cluster.host("on2", 16, 65536);
        cluster.host("sleep1", 16, 65536).power(PowerState.STANDBY);
        cluster.host("sleep2", 16, 65536).power(PowerState.STANDBY);
        cluster.vm("v1", "on1", 14, 16384).vm("v2", "on2", 14, 16384);

        Plan plan = Planner.plan(cluster.build(), consolidating());

        assertThat(plan.power()).singleElement().satisfies(p -> {
            assertThat(p.host()).isEqualTo("sleep1");
            assertThat(p.action()).isEqualTo(PowerAction.Type.WAKE);
            assertThat(p.reason()).contains("> band.high 0.81", "waking sleep1");
        });
    }

    @Test
    void wakesAHostWhenAnEvacuationHasNowhereToGo() {
        cluster.host("hot", 16, 65536).temperature(TestCluster.flat(NOW, Duration.ofMinutes(10), 95));
        cluster.host("full1", 16, 16384);
        cluster.host("full2", 16, 16384);
        cluster.host("sleeping", 16, 65536).power(PowerState.STANDBY);
        cluster.vm("big", "hot", 1, 32768).vm("resident1", "full1", 1, 8192).vm("resident2", "full2", 1, 8192);

        Plan plan = Planner.plan(cluster.build(), consolidating());

        assertThat(plan.moves()).isEmpty();
        assertThat(plan.power()).singleElement().satisfies(p -> {
            assertThat(p.host()).isEqualTo("sleeping");
            assertThat(p.action()).isEqualTo(PowerAction.Type.WAKE);
            assertThat(p.reason()).startsWith("urgent evacuation found no destination with capacity");
        });
    }

    @Test
    void neverEmptiesAHostThatCannotBeFullyEvacuated() {
        SchedulingPolicy spread = consolidating().withRules(List.of(new io.ferry.policies.model.Rule("db-spread",
                io.ferry.policies.model.RuleType.VM_ANTI_AFFINITY, Map.of("app", "db"), Map.of())));
        for (String h : List.of("h1", "h2", "h3")) {
            cluster.host(h, 16, 65536);
            cluster.vm(new Vm(h + "-db", h, 1, 4096, 1, 4096, 1, Map.of("app", "db"), Set.of("avx2"), null));
        }

        Plan plan = Planner.plan(cluster.build(), spread, PlannerOptions.EXPLAIN);

        assertThat(plan.moves()).isEmpty();
        assertThat(plan.candidates()).isNotEmpty().allSatisfy(c -> assertThat(c.reason())
                .startsWith("cannot empty").contains("anti-affinity rejected"));
    }

    @Test
    void samePlanForTheSameInput() {
        skewed();

        assertThat(Planner.plan(cluster.build(), ROOMY, PlannerOptions.EXPLAIN))
                .isEqualTo(Planner.plan(cluster.build(), ROOMY, PlannerOptions.EXPLAIN));
    }
}
