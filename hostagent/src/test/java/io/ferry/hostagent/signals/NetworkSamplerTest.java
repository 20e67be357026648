package io.ferry.hostagent.signals;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.v1.NetworkInterface;
import io.ferry.v1.NetworkSignal;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetworkSamplerTest {
  @TempDir Path root;
  final MutableClock clock = new MutableClock();

  /** Samples {@code first}, then five seconds later {@code second}, and returns the second sample. */
  private NetworkSignal fiveSecondsApart(String first, String second) {
    FixtureHost host = new FixtureHost(root).put("/proc/net/dev", first);
    NetworkSampler network = new NetworkSampler(host.files(), clock, host.availability);
    network.sample();
    host.put("/proc/net/dev", second);
    clock.advance(Duration.ofSeconds(5));
    return network.sample();
  }

  @Test
  void ratesAreCounterDeltasOverElapsedClockTime() {
    NetworkSignal signal = fiveSecondsApart("proc/2-core/net-dev-t0", "proc/2-core/net-dev-t1");

    assertThat(signal.getStatus().getAvailable()).isTrue();
    assertThat(signal.getInterfacesList()).extracting(NetworkInterface::getName).containsExactly("lo", "eth0");
    NetworkInterface eth0 = signal.getInterfaces(1);
    assertThat(eth0.getRxBytesPerSecond()).isEqualTo(100_000.0);
    assertThat(eth0.getTxBytesPerSecond()).isEqualTo(50_000.0);
    assertThat(signal.getInterfaces(0).getRxBytesPerSecond()).isZero();
  }

  @Test
  void firstSampleIsWarmingUpAndNotCountedAsAFailure() {
    FixtureHost host = new FixtureHost(root).put("/proc/net/dev", "proc/2-core/net-dev-t0");

    NetworkSignal signal = new NetworkSampler(host.files(), clock, host.availability).sample();

    assertThat(signal.getStatus().getAvailable()).isFalse();
    assertThat(signal.getStatus().getReason()).startsWith("warming up");
    assertThat(host.unavailableCount("network", "warming_up")).isZero();
  }

  @Test
  void counterThatWentBackwardsReadsZeroNotNegative() {
    NetworkSignal signal = fiveSecondsApart("proc/2-core/net-dev-t1", "proc/2-core/net-dev-t0");

    assertThat(signal.getInterfaces(1).getRxBytesPerSecond()).isZero();
  }

  @Test
  void missingFileIsUnavailable() {
    FixtureHost host = new FixtureHost(root);

    NetworkSignal signal = new NetworkSampler(host.files(), clock, host.availability).sample();

    assertThat(signal.getStatus().getReason()).isEqualTo("missing: /proc/net/dev");
  }
}
