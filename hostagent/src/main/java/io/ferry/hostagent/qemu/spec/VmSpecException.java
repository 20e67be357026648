package io.ferry.hostagent.qemu.spec;

/** A VM spec file is wrong; the message is {@code file:line: what is wrong}. */
public final class VmSpecException extends RuntimeException {
  public VmSpecException(String file, int line, String problem) {
    super(file + ":" + line + ": " + problem);
  }
}
