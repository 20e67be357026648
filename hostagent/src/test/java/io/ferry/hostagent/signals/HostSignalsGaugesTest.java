package io.ferry.hostagent.signals;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.v1.HostSignals;
import io.ferry.v1.NetworkInterface;
import io.ferry.v1.NetworkSignal;
import io.ferry.v1.SignalStatus;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class HostSignalsGaugesTest {
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final HostSignalsGauges gauges = new HostSignalsGauges(registry);
  static final SignalStatus AVAILABLE = SignalStatus.newBuilder().setAvailable(true).build();

  private static HostSignals withInterfaces(String... names) {
    NetworkSignal.Builder network = NetworkSignal.newBuilder().setStatus(AVAILABLE);
    for (String name : names) {
      network.addInterfaces(NetworkInterface.newBuilder().setName(name).setRxBytesPerSecond(1000));
    }
    return HostSignals.newBuilder().setNetwork(network).build();
  }

  @Test
  void fixedGaugesExistBeforeTheFirstSampleAndReadNaN() {
    gauges.registerFixed();

    assertThat(registry.get("ferry_host_cpu_utilization_ratio").gauge().value()).isNaN();
    assertThat(registry.get("ferry_host_memory_total_bytes").gauge().value()).isNaN();
  }

  @Test
  void anInterfaceThatDisappearedReadsNaNNotItsLastRate() {
    gauges.update(withInterfaces("eth0", "eth1"));
    gauges.update(withInterfaces("eth0"));

    assertThat(registry.get("ferry_host_network_receive_bytes_per_second").tag("interface", "eth0").gauge().value())
        .isEqualTo(1000.0);
    assertThat(registry.get("ferry_host_network_receive_bytes_per_second").tag("interface", "eth1").gauge().value())
        .isNaN();
  }

  @Test
  void unavailableSignalPublishesNoValue() {
    gauges.update(HostSignals.newBuilder().setNetwork(NetworkSignal.newBuilder()
        .setStatus(SignalStatus.newBuilder().setAvailable(false).setReason("missing: /proc/net/dev"))).build());

    assertThat(registry.find("ferry_host_network_receive_bytes_per_second").gauges()).isEmpty();
  }
}
