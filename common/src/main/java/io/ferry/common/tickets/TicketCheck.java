package io.ferry.common.tickets;

/** The verdict on one ticket: accepted, or refused with a reason a person can act on. */
public record TicketCheck(boolean accepted, Reason reason, String message) {
  /** Why a ticket was refused. */
  public enum Reason { OK, UNSIGNED, BAD_SIGNATURE, UNKNOWN_KEY, EXPIRED, WRONG_DESTINATION, REPLAYED, MALFORMED }

  public static TicketCheck ok() {
    return new TicketCheck(true, Reason.OK, "accepted");
  }

  public static TicketCheck refused(Reason reason, String message) {
    return new TicketCheck(false, reason, message);
  }
}
