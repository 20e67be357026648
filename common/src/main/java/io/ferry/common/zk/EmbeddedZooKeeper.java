package io.ferry.common.zk;

import io.ferry.common.FerryException;
import io.ferry.common.HostPort;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.ZooKeeperServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A standalone ZooKeeper server in this JVM, for {@code ferry up}, {@code ferry zk} and tests.
 * Production runs an ensemble (see deploy/zookeeper).
 */
public final class EmbeddedZooKeeper implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedZooKeeper.class);

  /** Tick of 500 ms: sessions may be as short as 1 s and as long as 10 s... raised by {@code maxSessionTimeout}. */
  public static final int DEFAULT_TICK_MS = 500;

  private final ZooKeeperServer server;
  private final ServerCnxnFactory factory;
  private final String host;

  private EmbeddedZooKeeper(ZooKeeperServer server, ServerCnxnFactory factory, String host) {
    this.server = server;
    this.factory = factory;
    this.host = host;
  }

  /**
   * Starts a server on {@code host:port} (port 0 = any free port) keeping its data in {@code dataDir}.
   * Sessions may last from 2 ticks up to 60 s.
   */
  public static EmbeddedZooKeeper start(String host, int port, Path dataDir, int tickMs) {
    System.setProperty("zookeeper.admin.enableServer", "false");
    try {
      Files.createDirectories(dataDir);
      ZooKeeperServer zks = new ZooKeeperServer(dataDir.toFile(), dataDir.toFile(), tickMs);
      zks.setMaxSessionTimeout(60_000);
      ServerCnxnFactory f = ServerCnxnFactory.createFactory();
      f.configure(new InetSocketAddress(host, port), 2000);
      f.startup(zks);
      log.info("ZooKeeper serving {}:{} with data in {}", host, f.getLocalPort(), dataDir);
      return new EmbeddedZooKeeper(zks, f, host);
    } catch (BindException e) {
      throw new FerryException("ZooKeeper: port " + port + " on " + host
          + " is already in use: is another ferry up or ZooKeeper running? Stop it or choose another port");
    } catch (IOException e) {
      throw new FerryException("ZooKeeper: cannot start with data in " + dataDir + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FerryException("ZooKeeper: interrupted while starting");
    }
  }

  public int port() {
    return factory.getLocalPort();
  }

  public HostPort address() {
    return new HostPort(host, port());
  }

  public String connectString() {
    return address().toString();
  }

  @Override
  public void close() {
    factory.shutdown();
    server.shutdown(true);
  }
}
