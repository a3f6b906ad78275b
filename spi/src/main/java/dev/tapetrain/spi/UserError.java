package dev.tapetrain.spi;

/**
 * A problem with what the user gave us (an option, a file, a directory), as opposed to a bug.
 * The message is one line naming the option or file; {@link Cli} prints it and exits with 2.
 */
public class UserError extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Creates the error with its one-line message. */
  public UserError(String message) {
    super(message);
  }

  /** Creates the error with its one-line message and cause. */
  public UserError(String message, Throwable cause) {
    super(message, cause);
  }
}
