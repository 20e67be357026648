package io.ferry.scheduler.executor;

import io.ferry.v1.MigrationTicket;

/** Signs migration tickets with the leader's key; the destination agent verifies them. */
public interface TicketSigner {
  MigrationTicket sign(MigrationTicket unsigned);

  /** For clusters without a ticket key (tests, --insecure development): tickets go out unsigned. */
  TicketSigner UNSIGNED = t -> t;
}
