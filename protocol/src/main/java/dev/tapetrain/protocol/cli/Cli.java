package dev.tapetrain.protocol.cli;

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
      err.println(name + ": " + ex.getMessage() + " (see --help)");
      return USAGE;
    });
    cl.setExecutionExceptionHandler((ex, c, parsed) -> {
      if (ex instanceof UserError || ex instanceof IllegalArgumentException) {
        err.println(name + ": " + ex.getMessage());
        return USAGE;
      }
      err.println(name + ": failed: " + ex);
      return 1;
    });
    return cl.execute(args);
  }
}
