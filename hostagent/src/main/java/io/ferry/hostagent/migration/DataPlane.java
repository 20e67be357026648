package io.ferry.hostagent.migration;

import io.ferry.common.tls.TlsMaterial;
import io.ferry.hostagent.migration.transfer.DataChannel;
import io.ferry.hostagent.migration.transfer.ReceivedChunk;
import io.ferry.v1.TransferAck;
import io.grpc.stub.StreamObserver;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One agent's data channel, both roles: the I/O threads and TLS contexts its outgoing streams use, and the listener
 * incoming migrations are offered (started at the first prepare, on the host the agent advertises, when the engine's
 * settings offer it).
 */
final class DataPlane implements AutoCloseable {
  private final DataChannel channel;
  private final String hostName;
  private final Supplier<String> advertisedEndpoint;
  private final boolean offer;
  private IncomingMigrations incoming;
  private Function<StreamObserver<TransferAck>, StreamObserver<ReceivedChunk>> receivers;
  private DataChannelServer server;
  private String endpoint;

  DataPlane(String hostName, TlsMaterial tls, Supplier<String> advertisedEndpoint, boolean offer) {
    this.channel = new DataChannel(tls, hostName, 2);
    this.hostName = hostName;
    this.advertisedEndpoint = advertisedEndpoint;
    this.offer = offer;
  }

  DataChannel channel() {
    return channel;
  }

  synchronized void serveWith(IncomingMigrations incoming,
                              Function<StreamObserver<TransferAck>, StreamObserver<ReceivedChunk>> receivers) {
    this.incoming = incoming;
    this.receivers = receivers;
  }

  /** host:port where sources send this agent's incoming transfer streams; empty when it takes Transfer calls only. */
  synchronized Optional<String> endpoint() {
    if (!offer || incoming == null) {
      return Optional.empty();
    }
    if (server == null) {
      String host = IncomingMigrations.hostOf(advertisedEndpoint.get());
      String bind = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
      server = new DataChannelServer(channel, hostName, bind, 0, incoming, receivers);
      endpoint = host + ":" + server.port();
    }
    return Optional.of(endpoint);
  }

  @Override
  public synchronized void close() {
    if (server != null) {
      server.close();
    }
    channel.close();
  }
}
