package io.ferry.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.ferry.policies.model.BalanceSettings;
import io.ferry.policies.model.ConsolidationSettings;
import io.ferry.policies.model.Limits;
import io.ferry.policies.model.SchedulingPolicy;
import io.ferry.policies.planner.Plan;
import io.ferry.policies.planner.PlanReplay;
import io.ferry.policies.planner.Planner;
import io.ferry.policies.snapshot.Host;
import io.ferry.policies.snapshot.Snapshot;
import io.ferry.policies.snapshot.Vm;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code ferry bench planner}: planner speed at 1,000 hosts / 10,000 VMs and 10,000 hosts / 100,000 VMs, balance
 * quality against the fluid lower bound, and consolidation against ceil(demand / usable capacity) and
 * First-Fit-Decreasing. Single-threaded by construction; run the JVM with {@code -XX:ActiveProcessorCount=1} for
 * the one-core figure. Not a test: figures go to {@code docs/benchmarks.md}.
 */
public final class PlannerBenchmark {
    private static final long SEED = 7;

    private PlannerBenchmark() {
    }

    /** One timed planning run on a synthetic skewed cluster. */
    public record Balance(String policy, int hosts, int vms, double planCpuMillis, double planWallMillis, int moves, double imbalanceBefore,
                          double imbalanceAfter, double fluidLowerBound) {
    }

    /** One consolidation run on a lightly loaded cluster of identical hosts. */
    public record Consolidation(int hosts, int vms, double planCpuMillis, double planWallMillis, int moves, int hostsWithVmsBefore,
                                int hostsWithVmsAfter, int lowerBound, int firstFitDecreasing, double wattsBefore,
                                double wattsAfterStandby) {
    }

    /** Everything one run measured. */
    public record Result(String java, int processors, List<Balance> balance, List<Consolidation> consolidation) {
    }

    /** Runs every scenario; {@code large} adds the 10,000-host / 100,000-VM cluster. */
    public static Result run(boolean large) {
        warmUp();
        List<Balance> balance = new ArrayList<>();
        List<Consolidation> consolidation = new ArrayList<>();
        int[][] sizes = large ? new int[][] {{1_000, 10_000}, {10_000, 100_000}} : new int[][] {{1_000, 10_000}};
        for (int[] size : sizes) {
            Snapshot skewed = SyntheticCluster.generate(SEED, size[0], size[1], false, true);
            balance.add(balance("default", skewed, SchedulingPolicy.defaults("default")));
            balance.add(balance("unbounded", skewed, unbounded()));
            Snapshot light = SyntheticCluster.generate(SEED, size[0], size[1], true, false);
            consolidation.add(consolidation(light));
        }
        return new Result(System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), balance,
                consolidation);
    }

    private static void warmUp() {
        Snapshot s = SyntheticCluster.generate(1, 300, 3_000, false, true);
        for (int i = 0; i < 5; i++) {
            Planner.plan(s, unbounded());
            Planner.plan(s, consolidating());
        }
    }

    /** Aggressiveness 5, no caps, no cooldown, no minimum improvement: how far balancing can get in one round. */
    static SchedulingPolicy unbounded() {
        return SchedulingPolicy.defaults("unbounded")
                .withBalance(new BalanceSettings(true, 5, 0.6, 0.4, 0.85, Duration.ofMinutes(3), 0.0))
                .withLimits(new Limits(100_000, 100_000, 100_000, Duration.ZERO));
    }

    static SchedulingPolicy consolidating() {
        return SchedulingPolicy.defaults("consolidating")
                .withConsolidation(new ConsolidationSettings(true, 0.45, 0.81, 2, Duration.ZERO, Duration.ofMinutes(5)))
                .withLimits(new Limits(100_000, 100_000, 100_000, Duration.ZERO));
    }

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** A plan with its wall-clock and CPU time (CPU time is what one core spends, whatever else runs). */
    private record Timed(Plan plan, double wallMillis, double cpuMillis) {
        static Timed of(Snapshot snapshot, SchedulingPolicy policy) {
            long cpu = THREADS.getCurrentThreadCpuTime();
            long wall = System.nanoTime();
            Plan plan = Planner.plan(snapshot, policy);
            return new Timed(plan, (System.nanoTime() - wall) / 1e6, (THREADS.getCurrentThreadCpuTime() - cpu) / 1e6);
        }
    }

    private static Balance balance(String name, Snapshot snapshot, SchedulingPolicy policy) {
        Timed timed = Timed.of(snapshot, policy);
        Plan plan = timed.plan();
        // Hosts share one CPU:memory ratio, so divisible load could equalise every host exactly.
        return new Balance(name, snapshot.hosts().size(), snapshot.vms().size(), timed.cpuMillis(),
                timed.wallMillis(), plan.moves().size(),
                plan.before().imbalance(), plan.after().imbalance(), 0.0);
    }

    private static Consolidation consolidation(Snapshot snapshot) {
        SchedulingPolicy policy = consolidating();
        double cap = policy.consolidation().bandHigh();
        Timed timed = Timed.of(snapshot, policy);
        Plan plan = timed.plan();
        Snapshot after = PlanReplay.apply(snapshot, plan);
        // With powerOffAfter 0 the next round puts the emptied hosts in standby.
        Plan standby = Planner.plan(after, policy);
        Host size = snapshot.hosts().get(0);
        double cpu = snapshot.vms().stream().mapToDouble(Vm::cpuUsageCores).sum();
        double used = snapshot.vms().stream().mapToDouble(Vm::memoryUsedMiB).sum();
        double allocated = snapshot.vms().stream().mapToDouble(Vm::memoryMiB).sum();
        int bound = (int) Math.ceil(Math.max(Math.max(cpu / (cap * size.cpuCores()), used / (cap * size.memoryMiB())),
                allocated / size.memoryMiB()));
        return new Consolidation(snapshot.hosts().size(), snapshot.vms().size(), timed.cpuMillis(),
                timed.wallMillis(), plan.moves().size(),
                hostsWithVms(snapshot), hostsWithVms(after), bound,
                FirstFitDecreasing.bins(snapshot, cap), plan.before().estimatedWatts(),
                standby.after().estimatedWatts());
    }

    private static int hostsWithVms(Snapshot s) {
        Set<String> used = new HashSet<>();
        s.vms().forEach(v -> used.add(v.host()));
        return used.size();
    }

    /** The Markdown section for {@code docs/benchmarks.md}. */
    public static String markdown(Result r) {
        StringBuilder out = new StringBuilder("## Planner\n\n");
        out.append("Measured by `io.ferry.benchmarks.PlannerBenchmark` (Java ").append(r.java()).append(", ")
                .append(r.processors()).append(" processor(s) visible to the JVM; the planner is single-threaded).\n\n");
        out.append("### Plan time and balance quality\n\n");
        out.append("| policy | hosts | VMs | plan CPU time (ms) | wall (ms) | moves | imbalance before "
                + "| imbalance after | fluid lower bound |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Balance b : r.balance()) {
            out.append(String.format(Locale.ROOT, "| %s | %,d | %,d | %.0f | %.0f | %,d | %.4f | %.4f | %.4f |%n",
                    b.policy(), b.hosts(), b.vms(), b.planCpuMillis(), b.planWallMillis(), b.moves(), b.imbalanceBefore(), b.imbalanceAfter(),
                    b.fluidLowerBound()));
        }
        out.append("\n### Consolidation\n\n");
        out.append("| hosts | VMs | plan CPU time (ms) | wall (ms) | moves | hosts with VMs before | after | ceil(demand / usable) "
                + "| First-Fit-Decreasing | after / bound | after / FFD | watts before | watts after standby |\n"
                + "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Consolidation c : r.consolidation()) {
            out.append(String.format(Locale.ROOT, "| %,d | %,d | %.0f | %.0f | %,d | %,d | %,d | %,d | %,d | %.3f | %.3f | %.0f | %.0f |%n",
                    c.hosts(), c.vms(), c.planCpuMillis(), c.planWallMillis(), c.moves(), c.hostsWithVmsBefore(), c.hostsWithVmsAfter(),
                    c.lowerBound(), c.firstFitDecreasing(), (double) c.hostsWithVmsAfter() / c.lowerBound(),
                    (double) c.hostsWithVmsAfter() / c.firstFitDecreasing(), c.wattsBefore(), c.wattsAfterStandby()));
        }
        out.append("\nHow to read it: `default` is the shipped default policy with its caps (8 concurrent, 2 per host,\n")
                .append("10 moves per round): what the live scheduler does every interval; target under 2 s of CPU on one core for\n")
                .append("10,000 hosts / 100,000 VMs. `unbounded` lifts caps and cooldown (aggressiveness 5, minImprovement 0) to\n")
                .append("show how far one round can balance. The synthetic hosts share one CPU:memory ratio, so the fluid lower\n")
                .append("bound of the imbalance is 0. Consolidation runs on identical hosts at about a third of their CPU with\n")
                .append("band 0.45/0.81 and no caps; the planner stops emptying hosts once the rest would average above\n")
                .append("band.high - (band.high - band.low)/4 (hysteresis against waking hosts again), which is why it keeps a few\n")
                .append("percent more hosts on than the volume bound and First-Fit-Decreasing (an offline repacking of every VM).\n")
                .append("CPU time is the planning thread's (`ThreadMXBean`); wall time depends on what else the machine runs.\n");
        return out.toString();
    }

    public static String json(Result r) throws IOException {
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(r) + "\n";
    }

    static final String BEGIN = "<!-- planner:begin -->";
    static final String END = "<!-- planner:end -->";

    /**
     * The document with the generated planner section replaced (between {@value #BEGIN} and {@value #END}), or
     * appended when the markers are missing; text outside the markers is kept.
     */
    public static String withSection(String document, Result r) {
        String section = BEGIN + "\n" + markdown(r) + END;
        int begin = document.indexOf(BEGIN);
        int end = document.indexOf(END);
        if (begin < 0 || end < begin) {
            return document + (document.isEmpty() || document.endsWith("\n") ? "" : "\n") + "\n" + section + "\n";
        }
        return document.substring(0, begin) + section + document.substring(end + END.length());
    }

    /**
     * Usage: {@code PlannerBenchmark [--small] [--json FILE] [--markdown FILE] [--docs docs/benchmarks.md]}; prints
     * the Markdown; {@code --docs} rewrites the planner section of that file in place.
     */
    public static void main(String[] args) throws IOException {
        boolean large = true;
        Path json = null;
        Path markdown = null;
        Path docs = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--small" -> large = false;
                case "--json" -> json = Path.of(args[++i]);
                case "--markdown" -> markdown = Path.of(args[++i]);
                case "--docs" -> docs = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Result result = run(large);
        String md = markdown(result);
        System.out.print(md);
        if (json != null) {
            Files.writeString(json, json(result));
        }
        if (markdown != null) {
            Files.writeString(markdown, md);
        }
        if (docs != null) {
            Files.writeString(docs, withSection(Files.exists(docs) ? Files.readString(docs) : "# Benchmarks\n", result));
        }
    }
}
