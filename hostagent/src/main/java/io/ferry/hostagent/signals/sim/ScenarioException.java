package io.ferry.hostagent.signals.sim;

import io.ferry.common.FerryException;

/** A scenario file that cannot be used; the message is {@code file:line: what is wrong}. */
public final class ScenarioException extends FerryException {
  private static final long serialVersionUID = 1L;

  ScenarioException(String file, int line, String message) {
    super(file + ":" + line + ": " + message);
  }

  ScenarioException(String message, Throwable cause) {
    super(message, cause);
  }
}
