package io.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.it.chaos.ZkEnsembleProcesses;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `ferry zk --id N --ensemble ...`: three members in three processes form a quorum; it survives one member's
 * death, stops serving when two are gone, and serves again, with its data, when one comes back.
 */
class ZkEnsembleIT {
  @TempDir
  Path tmp;

  @Test
  void ensembleServesWithAMajorityOnlyAndKeepsItsDataAcrossLossOfQuorum() throws Exception {
    try (ZkEnsembleProcesses zk = new ZkEnsembleProcesses(tmp, "127.0.0.1", 3, List.of())) {
      zk.startAll();
      assertThat(write(zk, "/first", Duration.ofSeconds(60))).as("three members form a quorum").isTrue();

      zk.kill9(1);
      assertThat(write(zk, "/second", Duration.ofSeconds(30))).as("two of three still a quorum").isTrue();

      zk.kill9(2);
      assertThat(write(zk, "/third", Duration.ofSeconds(8))).as("one of three is no quorum").isFalse();

      zk.start(1);
      assertThat(write(zk, "/fourth", Duration.ofSeconds(60))).as("quorum back with a restarted member").isTrue();
      try (ZooKeeper c = connect(zk.connectString(), Duration.ofSeconds(30))) {
        assertThat(new String(c.getData("/first", false, null), StandardCharsets.UTF_8)).isEqualTo("/first");
        assertThat(c.exists("/second", false)).isNotNull();
        assertThat(c.exists("/third", false)).isNull();
      }
    }
  }

  /** Tries to create {@code path} until {@code within} has passed; true once it was written. */
  private static boolean write(ZkEnsembleProcesses zk, String path, Duration within) throws Exception {
    Instant deadline = Instant.now().plus(within);
    while (Instant.now().isBefore(deadline)) {
      Duration left = Duration.between(Instant.now(), deadline);
      try (ZooKeeper c = connect(zk.connectString(), left)) {
        if (c != null) {
          c.create(path, path.getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
          return true;
        }
      } catch (org.apache.zookeeper.KeeperException.NodeExistsException e) {
        return true;
      } catch (org.apache.zookeeper.KeeperException e) {
        Thread.sleep(200);
      }
    }
    return false;
  }

  /** A connected client, or null when none connects within {@code timeout}. */
  private static ZooKeeper connect(String connect, Duration timeout) throws Exception {
    CountDownLatch connected = new CountDownLatch(1);
    ZooKeeper c = new ZooKeeper(connect, 4000, e -> {
      if (e.getState() == Watcher.Event.KeeperState.SyncConnected) {
        connected.countDown();
      }
    });
    if (connected.await(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS)) {
      return c;
    }
    c.close();
    return null;
  }
}
