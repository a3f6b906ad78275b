package dev.tapetrain.coordinator.cli;

/** A bad command-line value; the message is one line naming the option and the value. */
public final class UsageException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public UsageException(String message) {
    super(message);
  }
}
