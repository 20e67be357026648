package io.ferry.hostagent.qemu.qmp;

/**
 * QMP failed: QEMU answered with an error ({@link Kind#COMMAND_ERROR}, with QEMU's error class and description), the
 * socket closed ({@link Kind#CONNECTION_LOST}), or no answer came in time ({@link Kind#TIMEOUT}).
 */
public final class QmpException extends RuntimeException {
  /** Why the call failed. */
  public enum Kind { COMMAND_ERROR, CONNECTION_LOST, TIMEOUT }

  private final Kind kind;
  private final String errorClass;
  private final String description;

  QmpException(Kind kind, String errorClass, String description, String message) {
    super(message);
    this.kind = kind;
    this.errorClass = errorClass;
    this.description = description;
  }

  static QmpException commandError(String command, String errorClass, String desc) {
    return new QmpException(Kind.COMMAND_ERROR, errorClass, desc, command + " failed: " + errorClass + ": " + desc);
  }

  static QmpException connectionLost(String where, String detail) {
    return new QmpException(Kind.CONNECTION_LOST, "", detail, "QMP connection to " + where + " lost: " + detail);
  }

  static QmpException timeout(String what) {
    return new QmpException(Kind.TIMEOUT, "", what, "QMP time-out: " + what);
  }

  public Kind kind() {
    return kind;
  }

  /** QEMU's error class ("GenericError", "CommandNotFound", ...), "" unless {@link Kind#COMMAND_ERROR}. */
  public String errorClass() {
    return errorClass;
  }

  /** QEMU's error description, or the reason for a lost connection / time-out. */
  public String description() {
    return description;
  }
}
