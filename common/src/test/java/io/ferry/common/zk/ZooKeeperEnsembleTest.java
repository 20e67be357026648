package io.ferry.common.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.common.FerryException;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class ZooKeeperEnsembleTest {
  private static final String THREE = "10.0.0.1:2888:3888:2181,10.0.0.2:2888:3888:2181,10.0.0.3:2888:3888:2181";

  @Test
  void membersAreNumberedByTheirPositionAndClientsGetEveryClientAddress() {
    ZooKeeperEnsemble e = ZooKeeperEnsemble.parse(THREE);
    assertThat(e.member(2)).isEqualTo(new ZooKeeperEnsemble.Member(2, "10.0.0.2", 2888, 3888, 2181));
    assertThat(e.connectString()).isEqualTo("10.0.0.1:2181,10.0.0.2:2181,10.0.0.3:2181");
  }

  @Test
  void configurationNamesEveryServerWithItsClientAddress() {
    Properties p = EnsembleMember.properties(ZooKeeperEnsemble.parse(THREE), Path.of("/var/zk"), 500);
    assertThat(p.getProperty("server.3")).isEqualTo("10.0.0.3:2888:3888;10.0.0.3:2181");
    assertThat(p.getProperty("tickTime")).isEqualTo("500");
    assertThat(p.getProperty("standaloneEnabled")).isEqualTo("false");
  }

  @Test
  void badEntriesAreNamedWithTheirPosition() {
    assertThatThrownBy(() -> ZooKeeperEnsemble.parse("a:1:2:3,b:1:2,c:1:2:3"))
        .isInstanceOf(FerryException.class)
        .hasMessageContaining("entry 2 'b:1:2'").hasMessageContaining("HOST:QUORUM_PORT:ELECTION_PORT:CLIENT_PORT");
    assertThatThrownBy(() -> ZooKeeperEnsemble.parse("a:1:2:3,b:1:x:3,c:1:2:3"))
        .hasMessageContaining("entry 2").hasMessageContaining("election port 'x'");
    assertThatThrownBy(() -> ZooKeeperEnsemble.parse("a:1:2:3,b:1:2:3"))
        .hasMessageContaining("at least 3 members, got 2");
    assertThatThrownBy(() -> ZooKeeperEnsemble.parse("h:1:2:3,h:4:5:6,h:7:8:1"))
        .hasMessageContaining("h:1 twice (member 3)");
    assertThatThrownBy(() -> ZooKeeperEnsemble.parse(THREE).member(4))
        .hasMessageContaining("--id 4 is not a member of the ensemble: use 1..3");
  }
}
