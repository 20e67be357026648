package io.ferry.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Rendering only: the benchmark itself is never run (nor timed) in tests. */
class PlannerBenchmarkTest {
    private static final PlannerBenchmark.Result RESULT = new PlannerBenchmark.Result("17", 1,
            List.of(new PlannerBenchmark.Balance("default", 1000, 10000, 12.5, 40, 8, 0.27, 0.26, 0)),
            List.of(new PlannerBenchmark.Consolidation(1000, 10000, 60, 500, 4233, 1000, 470, 418, 421, 234531,
                    160331)));

    @Test
    void replacesOnlyTheGeneratedSection() {
        String doc = "# Benchmarks\n\nintro\n" + PlannerBenchmark.BEGIN + "\nstale generated table\n" + PlannerBenchmark.END
                + "\n\nhand-written notes\n";

        String updated = PlannerBenchmark.withSection(doc, RESULT);

        assertThat(updated).startsWith("# Benchmarks\n\nintro\n" + PlannerBenchmark.BEGIN + "\n## Planner")
                .endsWith(PlannerBenchmark.END + "\n\nhand-written notes\n").doesNotContain("stale generated table")
                .contains("| default | 1,000 | 10,000 | 13 | 40 | 8 | 0.2700 | 0.2600 | 0.0000 |",
                        "| 1,000 | 10,000 | 60 | 500 | 4,233 | 1,000 | 470 | 418 | 421 | 1.124 | 1.116 | 234531 | 160331 |");
    }

    @Test
    void appendsTheSectionWhenMarkersAreMissing() {
        assertThat(PlannerBenchmark.withSection("# Benchmarks\n", RESULT))
                .startsWith("# Benchmarks\n\n" + PlannerBenchmark.BEGIN).endsWith(PlannerBenchmark.END + "\n");
    }
}
