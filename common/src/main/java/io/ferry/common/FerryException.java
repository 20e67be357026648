package io.ferry.common;

/**
 * A failure a person can act on: the message says what is wrong and what to do, in one line.
 * The CLI prints only the message (the stack trace with {@code --verbose}).
 */
public class FerryException extends RuntimeException {
  public FerryException(String message) {
    super(message);
  }

  public FerryException(String message, Throwable cause) {
    super(message, cause);
  }
}
