package dev.tapetrain.coordinator.cli;

import dev.tapetrain.spi.UserError;

/** A bad command-line value; the message is one line naming the option and the value. */
public final class UsageException extends UserError {

  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public UsageException(String message) {
    super(message);
  }
}
