package dev.tapetrain.spi;

/**
 * A problem with what the user gave us (an option, a setting, a file, a directory, a model of
 * theirs), as opposed to a bug. The message is one line naming the option or file; every
 * command prints it and exits with 2. An {@link IllegalArgumentException}: what was given is
 * not acceptable.
 */
public class UserError extends IllegalArgumentException {

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
