package dev.tapetrain.coordinator.run;

/** A run directory that cannot be used; the message is one line for the user. */
public final class RunDirectoryException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public RunDirectoryException(String message) {
    super(message);
  }
}
