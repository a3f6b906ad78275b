package dev.tapetrain.node.cli;

import dev.tapetrain.spi.UserError;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
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

  /**
   * The system property tapetrain's Logback configuration sets the root level from (default
   * WARN; {@link LauncherLogging}).
   */
  public static final String LOG_LEVEL = "tapetrain.log.level";

  private static final java.util.Set<String> LOG_LEVELS =
      java.util.Set.of("ERROR", "WARN", "INFO", "DEBUG", "TRACE", "OFF", "ALL");

  /** Parses {@code args} into {@code command}, runs it and returns the exit code. */
  public static int execute(Object command, String[] args, PrintStream out, PrintStream err) {
    return execute(new CommandLine(command), args, out, err);
  }

  /**
   * As {@link #execute(Object, String[], PrintStream, PrintStream)} for a command line set up by
   * the caller (its name, its help); messages start with its command name.
   */
  public static int execute(CommandLine cl, String[] args, PrintStream out, PrintStream err) {
    String name = cl.getCommandName();
    String level = System.getProperty(LOG_LEVEL);
    if (level != null && !LOG_LEVELS.contains(level.strip().toUpperCase(java.util.Locale.ROOT))) {
      // Logback takes a level it does not know as DEBUG: dozens of lines instead of a mistake.
      err.println(name + ": -D" + LOG_LEVEL + "=" + level + " is not a log level (ERROR, WARN, "
          + "INFO, DEBUG, TRACE or OFF)");
      return USAGE;
    }
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    cl.setParameterExceptionHandler((ex, a) -> {
      String hint = "see --help";
      if (ex instanceof CommandLine.UnmatchedArgumentException u
          && !u.getSuggestions().isEmpty()) {
        hint = "did you mean " + String.join(" or ", u.getSuggestions()) + "? see --help";
      }
      err.println(name + ": " + message(ex) + " (" + hint + ")");
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
   * Picocli's message for a command line it cannot parse, reworded where picocli's own says it
   * badly: an unknown option is named alone (picocli lists the value after it as another
   * "option"), and a map option's value without '=' says what is expected (picocli writes
   * "Value for option option '--set' …").
   */
  public static String message(CommandLine.ParameterException ex) {
    if (ex instanceof CommandLine.UnmatchedArgumentException u) {
      List<String> options = u.getUnmatched().stream()
          .filter(a -> a.startsWith("-") && !NUMBER.matcher(a).matches()).toList();
      if (!options.isEmpty()) {
        return "unknown option" + (options.size() > 1 ? "s " : " ")
            + options.stream().map(o -> "'" + o + "'").collect(Collectors.joining(", "));
      }
      if (!u.getUnmatched().isEmpty()) {
        return "unexpected argument '" + u.getUnmatched().get(0) + "'";
      }
    }
    String m = ex.getMessage();
    java.util.regex.Matcher keyValue = KEY_VALUE.matcher(m == null ? "" : m);
    if (keyValue.matches()) {
      return keyValue.group(1) + " " + keyValue.group(2) + ": expected NAME=VALUE";
    }
    return m;
  }

  /**
   * A number as the user typed it in a message ({@code 0}, {@code 1.5}, {@code 0.00078125}), not
   * Java's {@code 0.0} or {@code 7.8125E-4}; NaN and infinities as Java writes them.
   */
  public static String plain(double v) {
    if (!Double.isFinite(v)) {
      return Double.toString(v);
    }
    return new java.math.BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
  }

  private static final Pattern NUMBER = Pattern.compile("-[0-9.][0-9.eE+-]*");
  private static final Pattern KEY_VALUE = Pattern.compile(
      "Value for option option '([^']+)' .* should be in KEY=VALUE format but was (.*)",
      Pattern.DOTALL);

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
