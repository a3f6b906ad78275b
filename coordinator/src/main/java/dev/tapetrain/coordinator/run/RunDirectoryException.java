package dev.tapetrain.coordinator.run;

import dev.tapetrain.spi.UserError;

/** A run directory that cannot be used; the message is one line for the user. */
public final class RunDirectoryException extends UserError {

  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public RunDirectoryException(String message) {
    super(message);
  }
}
