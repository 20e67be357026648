package io.ferry.common.zk;

import io.ferry.common.FerryException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import org.apache.zookeeper.server.quorum.QuorumPeerConfig;
import org.apache.zookeeper.server.quorum.QuorumPeerMain;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member of a ZooKeeper ensemble in this JVM, run by ZooKeeper's own {@link QuorumPeerMain} from a
 * configuration built here (the equivalent of a {@code zoo.cfg} with {@code server.N} lines and a {@code myid}
 * file). The member serves clients only while it is part of a quorum.
 */
public final class EnsembleMember implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EnsembleMember.class);

  private final Runner runner = new Runner();
  private final ZooKeeperEnsemble.Member self;
  private final Thread thread;
  private volatile Throwable failure;

  /** Exposes the peer's state ("leading", "following", "looking") for logs. */
  private static final class Runner extends QuorumPeerMain {
    String state() {
      return quorumPeer == null ? "starting" : quorumPeer.getServerState();
    }
  }

  private EnsembleMember(ZooKeeperEnsemble.Member self, QuorumPeerConfig config) {
    this.self = self;
    this.thread = new Thread(() -> {
      try {
        runner.runFromConfig(config);
      } catch (Throwable e) {
        failure = e;
        log.error("ZooKeeper member {} stopped: {}", self.id(), e.toString());
      }
    }, "zk-member-" + self.id());
  }

  /**
   * Starts member {@code id} of {@code ensemble}, keeping its data in {@code dataDir}; returns once its client port
   * accepts connections (it answers requests only once a quorum has formed).
   */
  public static EnsembleMember start(ZooKeeperEnsemble ensemble, int id, Path dataDir, int tickMs) {
    System.setProperty("zookeeper.admin.enableServer", "false");
    ZooKeeperEnsemble.Member self = ensemble.member(id);
    QuorumPeerConfig config = new QuorumPeerConfig();
    try {
      Files.createDirectories(dataDir);
      Files.writeString(dataDir.resolve("myid"), id + "\n", StandardCharsets.US_ASCII);
      config.parseProperties(properties(ensemble, dataDir, tickMs));
    } catch (IOException e) {
      throw new FerryException("ZooKeeper member " + id + ": cannot use data directory " + dataDir + ": "
          + e.getMessage(), e);
    } catch (QuorumPeerConfig.ConfigException e) {
      throw new FerryException("ZooKeeper member " + id + ": " + e.getMessage(), e);
    }
    EnsembleMember m = new EnsembleMember(self, config);
    m.thread.start();
    m.awaitClientPort(Duration.ofSeconds(30));
    log.info("ZooKeeper member {} of {} serving clients on {} (peers on {}:{}, election {}:{}), data in {}", id,
        ensemble.members().size(), self.clientAddress(), self.host(), self.quorumPort(), self.host(),
        self.electionPort(), dataDir);
    return m;
  }

  static Properties properties(ZooKeeperEnsemble ensemble, Path dataDir, int tickMs) {
    Properties p = new Properties();
    p.setProperty("tickTime", Integer.toString(tickMs));
    // a follower has 10 ticks to sync with a new leader and may lag 5 ticks behind it
    p.setProperty("initLimit", "10");
    p.setProperty("syncLimit", "5");
    p.setProperty("dataDir", dataDir.toAbsolutePath().toString());
    p.setProperty("maxSessionTimeout", "60000");
    p.setProperty("standaloneEnabled", "false");
    p.setProperty("reconfigEnabled", "false");
    p.setProperty("admin.enableServer", "false");
    p.setProperty("autopurge.purgeInterval", "1");
    for (ZooKeeperEnsemble.Member m : ensemble.members()) {
      p.setProperty("server." + m.id(), m.serverLine());
    }
    return p;
  }

  private void awaitClientPort(Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      if (failure != null) {
        throw new FerryException("ZooKeeper member " + self.id() + " failed to start: " + failure.getMessage(),
            failure);
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(self.host(), self.clientPort()), 200);
        return;
      } catch (IOException notYet) {
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new FerryException("interrupted while starting ZooKeeper member " + self.id());
        }
      }
    }
    throw new FerryException("ZooKeeper member " + self.id() + " did not open its client port "
        + self.clientAddress() + " within " + timeout.toSeconds() + " s: is the port in use?");
  }

  public ZooKeeperEnsemble.Member self() {
    return self;
  }

  /** "leading", "following" or "looking" (no quorum). */
  public String state() {
    return runner.state();
  }

  @Override
  public void close() {
    runner.close();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
