package io.ferry.hostagent.migration;

import io.ferry.common.HostPort;
import io.ferry.common.tls.TlsMaterial;
import io.ferry.hostagent.migration.transfer.DataChannel;
import io.ferry.hostagent.migration.transfer.ReceivedChunk;
import io.ferry.v1.TransferAck;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One agent's data channel, both roles: the I/O threads and TLS contexts its outgoing streams use, and the listener
 * incoming migrations are offered. The listener starts with {@link #endpoint()}: the agent calls it once it knows
 * its advertised address (so a port in use stops the agent at start); engines without an agent start it at their
 * first prepare.
 */
final class DataPlane implements AutoCloseable {
  private final DataChannel channel;
  private final String hostName;
  private final Supplier<String> advertisedEndpoint;
  private final DataChannelOptions options;
  private final Duration incomingIdleTimeout;
  private IncomingMigrations incoming;
  private Function<StreamObserver<TransferAck>, StreamObserver<ReceivedChunk>> receivers;
  private DataChannelServer server;
  private String endpoint;

  /**
   * @param incomingIdleTimeout the engine's: the listener closes connections of migrations that are over at the
   *     pace the engine looks for silent sources
   */
  DataPlane(String hostName, TlsMaterial tls, Supplier<String> advertisedEndpoint, DataChannelOptions options,
            Duration incomingIdleTimeout) {
    this.channel = new DataChannel(tls, hostName, 2);
    this.incomingIdleTimeout = incomingIdleTimeout;
    this.hostName = hostName;
    this.advertisedEndpoint = advertisedEndpoint;
    this.options = options;
  }

  DataChannel channel() {
    return channel;
  }

  synchronized void serveWith(IncomingMigrations incoming,
                              Function<StreamObserver<TransferAck>, StreamObserver<ReceivedChunk>> receivers) {
    this.incoming = incoming;
    this.receivers = receivers;
  }

  /**
   * host:port where sources send this agent's incoming transfer streams (listening from the first call on); empty
   * when it takes Transfer calls only.
   *
   * @throws IllegalStateException when the channel cannot listen where the options say
   */
  synchronized Optional<String> endpoint() {
    if (!options.offered() || incoming == null) {
      return Optional.empty();
    }
    if (server == null) {
      String advertisedHost = HostPort.parse(advertisedEndpoint.get()).host();
      String bind = options.listenHost() != null ? options.listenHost() : advertisedHost;
      server = new DataChannelServer(channel, hostName, bind, options.port(), incoming, receivers, incomingIdleTimeout);
      boolean wildcard = bind.equals("0.0.0.0") || bind.equals("::");
      endpoint = options.advertise() != null ? options.advertise().toString()
          : new HostPort(wildcard ? advertisedHost : bind, server.port()).toString();
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
