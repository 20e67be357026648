package io.ferry.hostagent.agent;

import io.ferry.common.tickets.TicketKeys;
import io.ferry.common.tickets.TicketVerifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The verifier of the leader's migration tickets on one agent. */
final class AgentTickets {
  private static final Logger log = LoggerFactory.getLogger(AgentTickets.class);

  private AgentTickets() {}

  /**
   * @param dir directory with ticket-signing.pub (from 'ferry certs init'); without it incoming migrations are
   *     refused, since no ticket can be verified
   */
  static TicketVerifier verifier(String host, Path dir, Clock clock) {
    return new TicketVerifier(publicKey(host, dir), host, clock);
  }

  private static PublicKey publicKey(String host, Path dir) {
    Path pub = dir == null ? null : dir.resolve(TicketKeys.PUBLIC_KEY_FILE);
    if (pub != null && Files.isReadable(pub)) {
      return TicketKeys.readPublic(pub);
    }
    log.warn("agent {}: no {} (pass --certs or --ticket-keys): incoming migrations will be refused", host,
        TicketKeys.PUBLIC_KEY_FILE);
    return TicketKeys.generate().getPublic(); // a key nobody holds: every ticket fails verification
  }
}
