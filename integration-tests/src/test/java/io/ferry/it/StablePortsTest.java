package io.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StablePortsTest {
  @Test
  void portsAreFreeDistinctAndNeverOnesTheKernelGivesOutgoingConnections() throws Exception {
    int ephemeralLow = Integer.parseInt(StablePorts.ephemeralRange().trim().split("\\s+")[0]);
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      int port = StablePorts.free();
      assertThat(port).isLessThan(ephemeralLow).isGreaterThanOrEqualTo(10_000);
      assertThat(seen.add(port)).as("handed out twice: " + port).isTrue();
      try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
        assertThat(s.getLocalPort()).isEqualTo(port);
      }
    }
  }
}
