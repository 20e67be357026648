package io.ferry.policies.cli;

import io.ferry.policies.model.SchedulingPolicy;
import io.ferry.policies.parse.ParseResult;
import io.ferry.policies.parse.PolicyParser;
import io.ferry.policies.planner.Plan;
import io.ferry.policies.planner.PlanJson;
import io.ferry.policies.planner.PlanTable;
import io.ferry.policies.planner.Planner;
import io.ferry.policies.planner.PlannerOptions;
import io.ferry.policies.snapshot.SnapshotReadResult;
import io.ferry.policies.snapshot.SnapshotJson;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * {@code ferry plan --snapshot FILE [--policy FILE] [--format json|table] [--explain]}: a dry run of the planner
 * on a snapshot file. Touches nothing.
 */
public final class PlanCommandSupport {
    public static final int EXIT_BAD_INPUT = 1;
    public static final int EXIT_USAGE = 2;

    private PlanCommandSupport() {
    }

    /**
     * @param policyOrNull null plans with the built-in default policy
     * @param format       {@code json} or {@code table}
     * @return 0 on success, {@link #EXIT_BAD_INPUT} for an invalid snapshot or policy, {@link #EXIT_USAGE} for an
     *         unknown format
     */
    public static int run(Path snapshot, Path policyOrNull, String format, boolean explain, PrintStream out,
                          PrintStream err) {
        if (!"json".equals(format) && !"table".equals(format)) {
            err.println("ferry plan: unknown format '" + format + "' (expected json or table)");
            return EXIT_USAGE;
        }
        SchedulingPolicy policy = SchedulingPolicy.defaults("default");
        if (policyOrNull != null) {
            ParseResult parsed = PolicyParser.parse(policyOrNull);
            if (!parsed.ok()) {
                parsed.errors().forEach(err::println);
                return EXIT_BAD_INPUT;
            }
            policy = parsed.policy().orElseThrow();
        }
        SnapshotReadResult read = SnapshotJson.read(snapshot);
        if (!read.ok()) {
            read.errors().forEach(err::println);
            return EXIT_BAD_INPUT;
        }
        Plan plan = Planner.plan(read.snapshot().orElseThrow(), policy, new PlannerOptions(explain));
        out.print("json".equals(format) ? PlanJson.write(plan, explain) : PlanTable.render(plan, explain));
        return 0;
    }
}
