package io.ferry.common.tickets;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.v1.MigrationTicket;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TicketVerifierTest {
  final Clock clock = Clock.fixed(Instant.parse("2026-11-27T00:00:00Z"), ZoneOffset.UTC);
  final KeyPair keys = TicketKeys.generate();
  final TicketSigner signer = new TicketSigner(keys.getPrivate(), keys.getPublic(), clock);
  final TicketVerifier verifier = new TicketVerifier(keys.getPublic(), "dst", clock);

  MigrationTicket ticket() {
    return signer.issue("m1", "vm", "src", "dst", 4, Duration.ofMinutes(1));
  }

  @Test
  void acceptsAFreshTicketOnce() {
    MigrationTicket t = ticket();
    assertThat(verifier.verifyAndConsume(t).accepted()).isTrue();
    assertThat(verifier.verifyAndConsume(t).reason()).isEqualTo(TicketCheck.Reason.REPLAYED);
  }

  @Test
  void refusesUnsignedTamperedExpiredAndMisaddressed() {
    assertThat(verifier.verifyAndConsume(ticket().toBuilder().clearSignature().build()).reason())
        .isEqualTo(TicketCheck.Reason.UNSIGNED);
    assertThat(verifier.verifyAndConsume(ticket().toBuilder().setVm("other").build()).reason())
        .isEqualTo(TicketCheck.Reason.BAD_SIGNATURE);
    assertThat(verifier.verifyAndConsume(signer.issue("m2", "vm", "src", "dst", 4, Duration.ofSeconds(-1)))
        .reason()).isEqualTo(TicketCheck.Reason.EXPIRED);
    assertThat(verifier.verifyAndConsume(signer.issue("m3", "vm", "src", "nope", 4, Duration.ofMinutes(1)))
        .reason()).isEqualTo(TicketCheck.Reason.WRONG_DESTINATION);
  }

  @Test
  void refusesTicketsFromAnotherKey() {
    KeyPair other = TicketKeys.generate();
    MigrationTicket t = new TicketSigner(other.getPrivate(), other.getPublic(), clock)
        .issue("m4", "vm", "src", "dst", 4, Duration.ofMinutes(1));
    assertThat(verifier.verifyAndConsume(t).reason()).isEqualTo(TicketCheck.Reason.UNKNOWN_KEY);
  }

  @Test
  void keysSurviveTheirFiles(@TempDir Path dir) {
    TicketKeys.write(keys, dir);
    TicketSigner fromFile = new TicketSigner(TicketKeys.readPrivate(dir.resolve(TicketKeys.PRIVATE_KEY_FILE)),
        TicketKeys.readPublic(dir.resolve(TicketKeys.PUBLIC_KEY_FILE)), clock);
    assertThat(verifier.verifyAndConsume(fromFile.issue("m5", "vm", "src", "dst", 4, Duration.ofMinutes(1)))
        .accepted()).isTrue();
  }
}
