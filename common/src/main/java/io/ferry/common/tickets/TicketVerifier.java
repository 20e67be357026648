package io.ferry.common.tickets;

import io.ferry.v1.MigrationTicket;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Checks migration tickets on the destination agent: signed by the leader's key, not expired, addressed to this
 * host, and never seen before (neither its migration id nor its nonce). Remembers used tickets until they expire.
 */
public final class TicketVerifier {
  private final PublicKey key;
  private final String keyId;
  private final String hostName;
  private final Clock clock;
  /** migration id or nonce -> expiry; a ticket cannot be replayed before it expires, and is refused after. */
  private final Map<String, Instant> used = new LinkedHashMap<>();

  public TicketVerifier(PublicKey key, String hostName, Clock clock) {
    this.key = Objects.requireNonNull(key, "key");
    this.keyId = TicketKeys.keyId(key);
    this.hostName = Objects.requireNonNull(hostName, "hostName");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Verifies {@code ticket} and, when accepted, marks it used so a second presentation is refused. */
  public synchronized TicketCheck verifyAndConsume(MigrationTicket ticket) {
    TicketCheck check = verify(ticket);
    if (check.accepted()) {
      Instant expiry = Instant.ofEpochSecond(ticket.getExpiresAt().getSeconds(), ticket.getExpiresAt().getNanos());
      used.put("id:" + ticket.getMigrationId(), expiry);
      used.put("nonce:" + java.util.HexFormat.of().formatHex(ticket.getNonce().toByteArray()), expiry);
    }
    return check;
  }

  private TicketCheck verify(MigrationTicket ticket) {
    if (ticket == null || ticket.getSignature().isEmpty()) {
      return TicketCheck.refused(TicketCheck.Reason.UNSIGNED, "migration ticket is unsigned: only the scheduler"
          + " leader can authorise a migration");
    }
    if (ticket.getMigrationId().isEmpty() || ticket.getNonce().isEmpty() || !ticket.hasExpiresAt()) {
      return TicketCheck.refused(TicketCheck.Reason.MALFORMED,
          "migration ticket lacks a migration id, nonce or expiry");
    }
    if (!keyId.equals(ticket.getKeyId())) {
      return TicketCheck.refused(TicketCheck.Reason.UNKNOWN_KEY, "migration ticket " + ticket.getMigrationId()
          + " is signed with key " + ticket.getKeyId() + " but this agent trusts key " + keyId
          + ": distribute the scheduler's ticket-signing.pub to the agents");
    }
    if (!signatureValid(ticket)) {
      return TicketCheck.refused(TicketCheck.Reason.BAD_SIGNATURE, "migration ticket " + ticket.getMigrationId()
          + " has a bad signature: it was altered or not signed by the leader");
    }
    Instant now = clock.instant();
    forgetExpired(now);
    Instant expiry = Instant.ofEpochSecond(ticket.getExpiresAt().getSeconds(), ticket.getExpiresAt().getNanos());
    if (!now.isBefore(expiry)) {
      return TicketCheck.refused(TicketCheck.Reason.EXPIRED, "migration ticket " + ticket.getMigrationId()
          + " expired at " + expiry + " (now " + now + ")");
    }
    if (!hostName.equals(ticket.getDestinationHost())) {
      return TicketCheck.refused(TicketCheck.Reason.WRONG_DESTINATION, "migration ticket "
          + ticket.getMigrationId() + " is for destination " + ticket.getDestinationHost() + ", this is " + hostName);
    }
    String nonce = "nonce:" + java.util.HexFormat.of().formatHex(ticket.getNonce().toByteArray());
    if (used.containsKey("id:" + ticket.getMigrationId()) || used.containsKey(nonce)) {
      return TicketCheck.refused(TicketCheck.Reason.REPLAYED, "migration ticket " + ticket.getMigrationId()
          + " was already used: a ticket authorises one attempt only");
    }
    return TicketCheck.ok();
  }

  private boolean signatureValid(MigrationTicket ticket) {
    try {
      Signature s = Signature.getInstance(TicketKeys.ALGORITHM);
      s.initVerify(key);
      s.update(TicketCodec.signedBytes(ticket));
      return s.verify(ticket.getSignature().toByteArray());
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }

  private void forgetExpired(Instant now) {
    used.values().removeIf(expiry -> !now.isBefore(expiry));
  }
}
