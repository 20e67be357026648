package io.ferry.hostagent.signals;

/**
 * Why a signal could not be read, as a short machine-friendly {@link #kind()} (a metric label) and a
 * {@link #reason()} a person can act on. Thrown only inside a sampler and turned into a status at its edge.
 */
final class Unavailable extends Exception {
  private static final long serialVersionUID = 1L;

  /** Coarse classes of failure; their names are the {@code reason_kind} metric label. */
  enum Kind {
    MISSING, PERMISSION_DENIED, UNREADABLE, NOT_INSTALLED, TIMED_OUT, BAD_OUTPUT, INVALID_READING,
    NO_SENSORS, WARMING_UP, DEVICE_ERROR;

    String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final Kind kind;

  Unavailable(Kind kind, String reason) {
    super(reason, null, false, false);
    this.kind = kind;
  }

  Kind kind() {
    return kind;
  }

  String reason() {
    return getMessage();
  }
}
