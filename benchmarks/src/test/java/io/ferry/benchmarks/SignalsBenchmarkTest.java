package io.ferry.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Checks the harness runs and reports; the figure itself goes to docs/benchmarks.md, never into an assertion. */
class SignalsBenchmarkTest {
  @Test
  void measuresAFullSampleOfTheSyntheticHost() {
    SignalsBenchmark.Result result = SignalsBenchmark.run(3, 5);

    assertThat(result.cores()).isEqualTo(64);
    assertThat(result.sensors()).isEqualTo(32);
    assertThat(result.interfaces()).isEqualTo(12);
    assertThat(result.cpuMillisPerSample()).isPositive();
    assertThat(result.markdownRow()).startsWith("| host signals sample (SMART excluded) | 64 | 32 | 12 | 5 |");
    assertThat(result.json()).contains("\"cores\":64", "\"cpuMillisPerSample\":");
  }
}
