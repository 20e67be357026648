package io.ferry.common.cluster;

import io.ferry.common.FerryException;
import java.time.Duration;
import org.apache.helix.zookeeper.datamodel.serializer.ZNRecordSerializer;
import org.apache.helix.zookeeper.impl.client.ZkClient;

/** A ZooKeeper client (Helix's, with the ZNRecord serializer) that fails fast with a clear message. */
public final class ZkConnection implements AutoCloseable {
  private final String address;
  private final ZkClient client;

  private ZkConnection(String address, ZkClient client) {
    this.address = address;
    this.client = client;
  }

  /**
   * Connects to {@code address} (host:port[,host:port...]) within {@code timeout}.
   *
   * @throws FerryException saying that ZooKeeper is unreachable and how to start one
   */
  public static ZkConnection connect(String address, Duration timeout, Duration sessionTimeout) {
    if (address == null || address.isBlank()) {
      throw new FerryException("no ZooKeeper address: pass --zk HOST:PORT (or start a local cluster with 'ferry up')");
    }
    try {
      ZkClient client = new ZkClient.Builder()
          .setZkServer(address)
          .setConnectionTimeout((int) timeout.toMillis())
          .setSessionTimeout((int) sessionTimeout.toMillis())
          .setOperationRetryTimeout(timeout.toMillis())
          .setZkSerializer(new ZNRecordSerializer())
          .build();
      return new ZkConnection(address, client);
    } catch (RuntimeException e) {
      throw unreachable(address, timeout, e);
    }
  }

  public static FerryException unreachable(String address, Duration timeout, Throwable cause) {
    return new FerryException("cannot reach ZooKeeper at " + address + " within " + timeout.toSeconds()
        + " s: is it running? ('ferry up' starts a local one, 'ferry zk' runs one alone)", cause);
  }

  public String address() {
    return address;
  }

  public ZkClient client() {
    return client;
  }

  @Override
  public void close() {
    client.close();
  }
}
