package io.ferry.hostagent.qemu.launch;

/** QEMU could not be started (bad spec, QEMU refused its arguments, no QMP socket); the message says which. */
public final class QemuLaunchException extends RuntimeException {
  public QemuLaunchException(String message) {
    super(message);
  }

  public QemuLaunchException(String message, Throwable cause) {
    super(message, cause);
  }
}
