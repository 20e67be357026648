package io.ferry.common.tickets;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.ferry.v1.MigrationTicket;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/** Issues migration tickets signed with the leader's Ed25519 key (see {@link TicketCodec} for what is signed). */
public final class TicketSigner {
  private final PrivateKey key;
  private final String keyId;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  public TicketSigner(PrivateKey key, PublicKey publicKey, Clock clock) {
    this.key = Objects.requireNonNull(key, "key");
    this.keyId = TicketKeys.keyId(Objects.requireNonNull(publicKey, "publicKey"));
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** A signed ticket for one migration, valid for {@code validity} from now, with a fresh 16-byte nonce. */
  public MigrationTicket issue(String migrationId, String vm, String sourceHost, String destinationHost,
                               long epoch, Duration validity) {
    byte[] nonce = new byte[16];
    random.nextBytes(nonce);
    Instant expires = clock.instant().plus(validity);
    MigrationTicket unsigned = MigrationTicket.newBuilder()
        .setMigrationId(migrationId).setVm(vm).setSourceHost(sourceHost).setDestinationHost(destinationHost)
        .setEpoch(epoch)
        .setExpiresAt(Timestamp.newBuilder().setSeconds(expires.getEpochSecond()).setNanos(expires.getNano()))
        .setNonce(ByteString.copyFrom(nonce)).setKeyId(keyId)
        .build();
    return sign(unsigned);
  }

  /**
   * Signs {@code ticket} with this signer's key and stamps the key's id on it (any existing signature and key id
   * are replaced), so verifiers know which key to check against.
   */
  public MigrationTicket sign(MigrationTicket unsigned) {
    MigrationTicket ticket = unsigned.toBuilder().setKeyId(keyId).build();
    try {
      Signature s = Signature.getInstance(TicketKeys.ALGORITHM);
      s.initSign(key);
      s.update(TicketCodec.signedBytes(ticket));
      return ticket.toBuilder().setSignature(ByteString.copyFrom(s.sign())).build();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign migration ticket " + ticket.getMigrationId(), e);
    }
  }
}
