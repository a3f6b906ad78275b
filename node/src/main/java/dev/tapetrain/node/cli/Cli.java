package dev.tapetrain.node.cli;

import dev.tapetrain.spi.UserError;

import java.io.PrintStream;
import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * Runs a picocli command with tapetrain's exit-code rules: bad options, bad data and an unusable
 * run directory print one line on stderr and exit 2 (never a stack trace); anything else
 * unexpected prints one line and exits 1.
 */
public final class Cli {

  /** Exit code for bad input. */
  public static final int USAGE = 2;

  private Cli() {}

  /** Parses {@code args} into {@code command}, runs it and returns the exit code. */
  public static int execute(Object command, String[] args, PrintStream out, PrintStream err) {
    CommandLine cl = new CommandLine(command);
    String name = cl.getCommandName();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    cl.setParameterExceptionHandler((ex, a) -> {
      String hint = "see --help";
      if (ex instanceof CommandLine.UnmatchedArgumentException u
          && !u.getSuggestions().isEmpty()) {
        hint = "did you mean " + String.join(" or ", u.getSuggestions()) + "? see --help";
      }
      err.println(name + ": " + ex.getMessage() + " (" + hint + ")");
      return USAGE;
    });
    cl.setExecutionExceptionHandler((ex, c, parsed) -> {
      if (ex instanceof UserError
          || (ex instanceof IllegalArgumentException && ex.getMessage() != null)) {
        err.println(name + ": " + ex.getMessage());
        return USAGE;
      }
      err.println(name + ": failed: " + describe(ex));
      return 1;
    });
    try {
      return cl.execute(args);
    } catch (OutOfMemoryError e) {
      // picocli rethrows errors; one line, never a stack trace.
      err.println(name + ": failed: " + describe(e));
      return 1;
    }
  }

  /**
   * One line that says what went wrong: the message, and the kind of failure where the message
   * alone would not say it (never a bare "null").
   */
  public static String describe(Throwable e) {
    if (e instanceof OutOfMemoryError) {
      return "out of memory (" + e.getMessage() + "); give java a larger -Xmx, or spread the "
          + "data over more workers";
    }
    String message = e.getMessage();
    if (message == null || message.isBlank()) {
      return e.getClass().getSimpleName()
          + (e.getCause() != null ? ": " + describe(e.getCause()) : "");
    }
    return message.lines().findFirst().orElse(message);
  }
}
