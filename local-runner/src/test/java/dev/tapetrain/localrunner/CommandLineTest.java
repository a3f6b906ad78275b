package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad input gets one line naming the problem and exit code 2, and leaves no run behind. */
class CommandLineTest {

  @TempDir
  Path dir;

  static Stream<Arguments> badOptions() {
    return Stream.of(
        Arguments.of(new String[] {"--steps", "abc"}, "'--steps': 'abc' is not a long"),
        Arguments.of(new String[] {"--steps", "-1"}, "--steps must be 0 or more, got -1"),
        Arguments.of(new String[] {"--learning-rate", "0"}, "--learning-rate must be a finite"),
        Arguments.of(new String[] {"--learning-rate", "NaN"}, "--learning-rate must be a finite"),
        Arguments.of(new String[] {"--workers", "0"}, "--workers must be between 1 and 4096, got 0"),
        Arguments.of(new String[] {"--workers", "100000"},
            "--workers must be between 1 and 4096, got 100000"),
        Arguments.of(new String[] {"--examples", "0"}, "--examples must be at least 1, got 0"),
        Arguments.of(new String[] {"--chunk-size", "0"}, "--chunk-size must be at least 1"),
        Arguments.of(new String[] {"--noise", "-2"}, "--noise must be >= 0, got -2.0"),
        Arguments.of(new String[] {"--init-w", "five"}, "--init-w: 'five' is not a finite number"),
        Arguments.of(new String[] {"--log-every", "0"}, "--log-every must be at least 1"),
        Arguments.of(new String[] {"--optimizer", "lbfgs"}, "unknown optimizer 'lbfgs'"),
        Arguments.of(new String[] {"--step-timeout", "-5"},
            "--step-timeout must be greater than 0 and at most 86400 seconds, got -5"),
        Arguments.of(new String[] {"--step-timeout", "0"},
            "--step-timeout must be greater than 0 and at most 86400 seconds, got 0"),
        Arguments.of(new String[] {"--stepz", "5"}, "unknown option '--stepz' (did you mean"),
        Arguments.of(new String[] {"--set", "foo"}, "--set foo: expected NAME=VALUE"),
        Arguments.of(new String[] {"--frobnicate"}, "unknown option '--frobnicate'"),
        Arguments.of(new String[] {"--data", "/no/such.csv"}, "--data /no/such.csv: no such file"),
        Arguments.of(new String[] {"--examples", "100000", "--chunk-size", "1"},
            "--chunk-size 1 makes 100000 chunks; at most 16384 fit in one message"),
        Arguments.of(new String[] {"--batch-fraction", "0"}, "--batch-fraction must be in (0, 1]"),
        Arguments.of(new String[] {"--momentum", "1"}, "--momentum must be in [0, 1), got 1.0"),
        Arguments.of(new String[] {"--l2", "-1"}, "--l2 must be a finite number >= 0"),
        Arguments.of(new String[] {"--threads", "0"}, "--threads must be between 1 and 256, got 0"),
        Arguments.of(new String[] {"--threads", "40000"},
            "--threads must be between 1 and 256, got 40000"),
        Arguments.of(new String[] {"--data", "/"},
            "--data /: the directory holds no data files (.csv or .parquet)"),
        Arguments.of(new String[] {"--data", "/dev/null", "--features", "a,a"},
            "--features: column 'a' is listed twice"),
        Arguments.of(new String[] {"--data", "/dev/null", "--features", "x,y"},
            "--features: column 'y' is the target (--target) and cannot be a feature too"));
  }

  @ParameterizedTest
  @MethodSource("badOptions")
  void badOptionGetsOneLineAndExitCodeTwo(String[] args, String expected) throws Exception {
    Path run = dir.resolve("run");
    Runs.Result r = Runs.run(Runs.withRunDir(args, run));
    Runs.assertRefused(r, expected, run);
    assertTrue(r.err().startsWith("local-runner: "), r.err());
  }

  @Test
  void badDataNamesTheFileAndLine() throws Exception {
    Path data = dir.resolve("bad.csv");
    Files.writeString(data, "x,y\n1,2\n3,oops\n");
    Path run = dir.resolve("run");
    Runs.Result r = Runs.run("--data", data.toString(), "--run-dir", run.toString());
    assertEquals(2, r.exitCode());
    assertEquals("local-runner: " + data + ":3: column 'y': 'oops' is not a number\n", r.err());
    assertFalse(Files.exists(run));
  }

  @Test
  void syntheticOptionsWithDataAreRefused() throws Exception {
    Path data = dir.resolve("ok.csv");
    Files.writeString(data, "x,y\n1,2\n");
    Runs.Result r = Runs.run("--data", data.toString(), "--examples", "5");
    assertEquals(2, r.exitCode());
    assertTrue(r.err().contains("--examples describes synthetic data"), r.err());
  }

  @Test
  void anEmptyDirectoryMadeForTheRunIsTakenAndOneWithAFileInItIsNot() throws Exception {
    Path empty = Files.createDirectories(dir.resolve("made-for-it"));
    Runs.Result r = Runs.run("--steps", "3", "--run-dir", empty.toString());
    assertEquals(0, r.exitCode(), r.err());
    assertEquals("completed", Runs.summary(empty).get("status").asText());
    Path notEmpty = Files.createDirectories(dir.resolve("holds-a-file"));
    Files.writeString(notEmpty.resolve("notes.txt"), "mine");
    Runs.Result refused = Runs.run("--steps", "3", "--run-dir", notEmpty.toString());
    assertEquals(2, refused.exitCode());
    assertTrue(refused.err().contains("already exists"), refused.err());
    assertEquals("mine", Files.readString(notEmpty.resolve("notes.txt")));
  }

  @Test
  void anExistingRunIsNeverOverwritten() throws Exception {
    Path run = dir.resolve("run");
    assertEquals(0, Runs.run("--steps", "3", "--run-dir", run.toString()).exitCode());
    byte[] before = Files.readAllBytes(run.resolve("summary.json"));
    Runs.Result again = Runs.run("--steps", "5", "--run-dir", run.toString());
    assertEquals(2, again.exitCode());
    assertTrue(again.err().contains("already exists"), again.err());
    assertEquals(new String(before), Files.readString(run.resolve("summary.json")));
  }

  @Test
  void helpListsEveryOptionOfTheContract() {
    Runs.Result r = Runs.run("--help");
    assertEquals(0, r.exitCode());
    for (String option : new String[] {"--workers", "--steps", "--learning-rate", "--init-w",
        "--init-b", "--optimizer", "--examples", "--true-w", "--true-b", "--noise", "--seed",
        "--data", "--chunk-size", "--log-every", "--run-dir"}) {
      assertTrue(r.out().contains(option), option + " missing from --help");
    }
  }

  @Test
  void divergenceStopsWithExitCodeThreeAndKeepsTheLastFiniteState() throws Exception {
    Path run = dir.resolve("run");
    Runs.Result r = Runs.run("--learning-rate", "5", "--run-dir", run.toString());
    assertEquals(3, r.exitCode());
    assertTrue(r.err().contains("smaller --learning-rate"), r.err());
    var summary = Runs.summary(run);
    assertEquals("diverged", summary.get("status").asText());
    assertTrue(Double.isFinite(summary.get("loss").asDouble()));
    // A number, not a string such as "NaN" (which asDouble would also read) or an array.
    assertTrue(summary.get("w").isNumber() && Double.isFinite(summary.get("w").asDouble()),
        summary.toString());
  }

  /**
   * Under bin/tapetrain (which sets tapetrain.launcher) the user typed {@code tapetrain train}:
   * messages and help name that and the other commands as tapetrain's, not the jar's
   * local-runner (a new user's finding, 2026-12-07).
   */
  @Test
  void underTheLauncherMessagesAndHelpNameTapetrainTrain() {
    Path run = dir.resolve("run");
    System.setProperty("tapetrain.launcher", "bin/tapetrain");
    Runs.Result bad;
    Runs.Result help;
    try {
      bad = Runs.run("--steps", "-1", "--run-dir", run.toString());
      help = Runs.run("--help");
    } finally {
      System.clearProperty("tapetrain.launcher");
    }
    assertEquals("tapetrain train: --steps must be 0 or more, got -1\n", bad.err());
    assertTrue(help.out().startsWith("Usage: tapetrain train "), help.out());
    assertTrue(help.out().contains("'tapetrain inspect RUN_DIR [RUN_B]'"), help.out());
    assertFalse(help.out().contains("local-runner inspect"), help.out());
    assertTrue(Runs.run("--help").out().contains("'local-runner inspect RUN_DIR"));
  }
}
