package io.ferry.common.tls;

import io.ferry.common.FerryException;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** gRPC credentials from {@link TlsMaterial}: mutual TLS by default, plain text only when asked. */
public final class Transport {
  private static final Logger log = LoggerFactory.getLogger(Transport.class);

  private Transport() {}

  /** Server side: requires and verifies a client certificate signed by the cluster CA. */
  public static ServerCredentials serverCredentials(TlsMaterial tls, String role) {
    if (tls.insecure()) {
      log.warn("{}: TLS is OFF (--insecure): traffic is plain text and any client is accepted", role);
      return InsecureServerCredentials.create();
    }
    try {
      return TlsServerCredentials.newBuilder()
          .keyManager(tls.cert().toFile(), tls.key().toFile())
          .trustManager(tls.caCert().toFile())
          .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
          .build();
    } catch (IOException | RuntimeException e) {
      throw new FerryException("cannot load TLS certificate " + tls.cert() + " / key " + tls.key() + ": "
          + e.getMessage(), e);
    }
  }

  /** Client side: presents the node certificate and trusts only the cluster CA. */
  public static ChannelCredentials channelCredentials(TlsMaterial tls) {
    if (tls.insecure()) {
      return InsecureChannelCredentials.create();
    }
    try {
      return TlsChannelCredentials.newBuilder()
          .keyManager(tls.cert().toFile(), tls.key().toFile())
          .trustManager(tls.caCert().toFile())
          .build();
    } catch (IOException | RuntimeException e) {
      throw new FerryException("cannot load TLS certificate " + tls.cert() + " / key " + tls.key() + ": "
          + e.getMessage(), e);
    }
  }
}
