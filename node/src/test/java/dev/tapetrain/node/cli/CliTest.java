package dev.tapetrain.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Every command's unparsable command line: one line in tapetrain's words, exit code 2. */
class CliTest {

  @Command(name = "train")
  static final class Train implements Callable<Integer> {
    @Option(names = "--steps")
    long steps;

    @Option(names = "--set", paramLabel = "NAME=VALUE")
    Map<String, String> set = new LinkedHashMap<>();

    @Override
    public Integer call() {
      return 0;
    }
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "--stepz 5          | train: unknown option '--stepz' (did you mean --steps? see --help)",
      "--stepz -5         | train: unknown option '--stepz' (did you mean --steps? see --help)",
      "--frob --nicate    | train: unknown options '--frob', '--nicate' (see --help)",
      "extra              | train: unexpected argument 'extra' (see --help)",
      "--set foo          | train: --set foo: expected NAME=VALUE (see --help)",
      "--steps x          | train: Invalid value for option '--steps': 'x' is not a long (see --help)"})
  void aCommandLineThatDoesNotParseGetsOneLineInPlainWords(String args, String expected) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Cli.execute(new Train(), args.trim().split("\\s+"),
        new PrintStream(new ByteArrayOutputStream()),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(2, code);
    assertEquals(expected.trim() + "\n", err.toString(StandardCharsets.UTF_8));
  }

  @org.junit.jupiter.api.Test
  void aLogLevelLogbackDoesNotKnowIsRefusedInsteadOfMeaningDebug() {
    String before = System.getProperty(Cli.LOG_LEVEL);
    try {
      System.setProperty(Cli.LOG_LEVEL, "LOUD");
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int code = Cli.execute(new Train(), new String[0],
          new PrintStream(new ByteArrayOutputStream()),
          new PrintStream(err, true, StandardCharsets.UTF_8));
      assertEquals(2, code);
      assertEquals("train: -Dtapetrain.log.level=LOUD is not a log level (ERROR, WARN, INFO, "
          + "DEBUG, TRACE or OFF)\n", err.toString(StandardCharsets.UTF_8));
      System.setProperty(Cli.LOG_LEVEL, "info");
      assertEquals(0, Cli.execute(new Train(), new String[0],
          new PrintStream(new ByteArrayOutputStream()), new PrintStream(err)), "any case");
    } finally {
      if (before == null) {
        System.clearProperty(Cli.LOG_LEVEL);
      } else {
        System.setProperty(Cli.LOG_LEVEL, before);
      }
    }
  }
}
