package io.ferry.policies.planner;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.policies.model.ConsolidationSettings;
import io.ferry.policies.model.Limits;
import io.ferry.policies.model.SchedulingPolicy;
import io.ferry.policies.snapshot.Disk;
import io.ferry.policies.snapshot.Host;
import io.ferry.policies.snapshot.HostMode;
import io.ferry.policies.snapshot.Snapshot;
import io.ferry.policies.snapshot.TimeSeries;
import io.ferry.policies.snapshot.Vm;
import io.ferry.policies.testkit.RandomClusters;
import io.ferry.policies.testkit.TestCluster;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Properties over many seeded random snapshots; a failure message names the seed to replay. */
class PlannerPropertiesTest {
    private static final int RUNS = 500;

    @Test
    void noPlanViolatesAHardConstraint() {
        for (int seed = 0; seed < RUNS; seed++) {
            Random r = new Random(seed);
            Snapshot snapshot = RandomClusters.cluster(r, RandomClusters.Shape.ANYTHING).build();
            SchedulingPolicy policy = RandomClusters.policy(r);

            Plan plan = Planner.plan(snapshot, policy, PlannerOptions.EXPLAIN);

            assertThat(HardConstraints.violations(snapshot, policy, plan)).as("seed " + seed).isEmpty();
        }
    }

    @Test
    void replanningWithoutCooldownSettlesBecauseEveryBalanceRoundLowersImbalance() {
        for (int seed = 0; seed < RUNS; seed++) {
            Random r = new Random(seed);
            Snapshot snapshot = RandomClusters.cluster(r, RandomClusters.Shape.STABLE).build();
            SchedulingPolicy policy = withCooldown(RandomClusters.policy(r), Duration.ZERO);
            int rounds = 0;
            Plan plan = Planner.plan(snapshot, policy);
            while (!plan.moves().isEmpty()) {
                assertThat(++rounds).as("seed " + seed + " does not settle").isLessThan(60);
                // Balance measures imbalance over the hosts it balances; the reported figure covers every in-service
                // host, and the two coincide when no empty host is parked for standby (consolidation off).
                if (!policy.consolidation().enabled()
                        && plan.moves().stream().allMatch(m -> m.reason() == MoveReason.BALANCE)) {
                    assertThat(plan.after().imbalance()).as("seed " + seed).isLessThan(plan.before().imbalance());
                }
                snapshot = PlanReplay.apply(snapshot, plan);
                plan = Planner.plan(snapshot, policy);
            }
            assertThat(Planner.plan(snapshot, policy).moves()).as("seed " + seed).isEmpty();
        }
    }

    @Test
    void replanningEveryIntervalNeverMovesAVmStraightBack() {
        for (int seed = 0; seed < RUNS; seed++) {
            Random r = new Random(seed);
            Snapshot snapshot = RandomClusters.cluster(r, RandomClusters.Shape.STABLE).build();
            SchedulingPolicy random = RandomClusters.policy(r);
            Duration interval = random.interval();
            SchedulingPolicy policy = withCooldown(random, random.limits().vmCooldown().plus(interval.multipliedBy(2)));
            Map<String, String> lastRound = Map.of();
            for (int round = 0; round < 30; round++) {
                Plan plan = Planner.plan(snapshot, policy);
                Map<String, String> thisRound = new HashMap<>();
                for (Move m : plan.moves()) {
                    assertThat(m.to()).as("seed %d: %s moved straight back to %s", seed, m.vm(), m.to())
                            .isNotEqualTo(lastRound.get(m.vm()));
                    thisRound.put(m.vm(), m.from());
                }
                lastRound = thisRound;
                Snapshot applied = PlanReplay.apply(snapshot, plan);
                snapshot = new Snapshot(applied.now().plus(interval), applied.hosts(), applied.vms(), List.of());
            }
        }
    }

    private static SchedulingPolicy withCooldown(SchedulingPolicy p, Duration cooldown) {
        return p.withLimits(new Limits(p.limits().maxConcurrentMigrations(), p.limits().maxConcurrentPerHost(),
                p.limits().maxMovesPerRound(), cooldown));
    }

    @Test
    void aBalancedClusterIsLeftAlone() {
        for (int seed = 0; seed < RUNS; seed++) {
            Random r = new Random(seed);
            TestCluster c = new TestCluster();
            int hosts = 2 + r.nextInt(8);
            for (int h = 0; h < hosts; h++) {
                c.host("h" + h, 16, 65536);
                for (int v = 0; v < 4; v++) {
                    c.vm("h" + h + "-v" + v, "h" + h, 2 + r.nextDouble() * 0.2, 8192);
                }
            }
            Plan plan = Planner.plan(c.build(), RandomClusters.policy(r)
                    .withConsolidation(ConsolidationSettings.DEFAULTS));

            assertThat(plan.moves()).as("seed " + seed).isEmpty();
        }
    }

    @Test
    void aHotOrFailingHostIsAlwaysEvacuatedWhenCapacityExists() {
        for (int seed = 0; seed < RUNS; seed++) {
            Random r = new Random(seed);
            TestCluster c = RandomClusters.cluster(r, RandomClusters.Shape.STABLE);
            TestCluster.HostSpec sick = c.host("sick", 8, 32768);
            if (r.nextBoolean()) {
                sick.temperature(TestCluster.flat(TestCluster.NOW, Duration.ofMinutes(10), 91 + r.nextInt(10)));
            } else {
                sick.disks(new Disk("sda", false, TimeSeries.EMPTY, 0, false, -1));
            }
            // Spare capacity: two big empty hosts offering every feature and label.
            c.host("spare1", 64, 524288).features("avx2", "avx512f", "sse4_2").labels(Map.of("gpu", "true"));
            c.host("spare2", 64, 524288).features("avx2", "avx512f", "sse4_2").labels(Map.of("gpu", "true"));
            int sickVms = 1 + r.nextInt(6);
            for (int v = 0; v < sickVms; v++) {
                c.vm(new Vm("sick-v" + v, "sick", 1, 2048, 0.5 + r.nextDouble(), 2048, 5, Map.of(), Set.of("avx2"),
                        TestCluster.NOW.minusSeconds(r.nextInt(600))));
            }
            Snapshot snapshot = c.build();
            SchedulingPolicy random = RandomClusters.policy(r);
            SchedulingPolicy policy = random.withRules(List.of())
                    .withLimits(new Limits(100, 100, 100, random.limits().vmCooldown()));

            Plan plan = Planner.plan(snapshot, policy, PlannerOptions.EXPLAIN);

            assertThat(plan.moves().stream().filter(m -> m.from().equals("sick")).count())
                    .as("seed %d: %s", seed, plan.candidates()).isEqualTo(sickVms);
            assertThat(plan.moves()).filteredOn(m -> m.from().equals("sick")).allMatch(Move::urgent);
            assertThat(plan.modes()).as("seed " + seed).anyMatch(m -> m.host().equals("sick")
                    && m.mode() == HostMode.QUARANTINE);
            assertThat(HardConstraints.violations(snapshot, policy, plan)).as("seed " + seed).isEmpty();
            assertThat(snapshot.hosts()).extracting(Host::name).contains("sick");
        }
    }
}
