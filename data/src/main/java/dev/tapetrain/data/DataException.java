package dev.tapetrain.data;

import dev.tapetrain.spi.UserError;

/**
 * Bad training data. The message is one line a user can act on and names the file and, where
 * there is one, the line: {@code data.csv:17: column 'y': 'abc' is not a number}.
 */
public final class DataException extends UserError {

  private static final long serialVersionUID = 1L;

  /** Creates the exception with its one-line message. */
  public DataException(String message) {
    super(message);
  }

  /** Creates the exception with its one-line message and cause. */
  public DataException(String message, Throwable cause) {
    super(message, cause);
  }
}
