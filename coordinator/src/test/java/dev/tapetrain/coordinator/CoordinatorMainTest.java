package dev.tapetrain.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad coordinator options: one line naming the option, exit code 2, no run directory. */
class CoordinatorMainTest {

  @TempDir
  Path dir;

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "--port 0                       | coordinator: --port must be between 1 and 65535, got 0",
      "--port 70000                   | coordinator: --port must be between 1 and 65535, got 70000",
      "--tls-keystore k.p12           | coordinator: --tls-keystore and --tls-truststore go together",
      "--workers 0                    | coordinator: --workers must be between 1 and 4096, got 0",
      "--bind nosuch.invalid          | coordinator: --bind nosuch.invalid: unknown host",
      "--host nosuch.invalid          | coordinator: --host nosuch.invalid: unknown host",
      "--step-timeout 0               | coordinator: --step-timeout must be greater than 0 and at most 86400 seconds, got 0",
      "--wait-timeout 1e6             | coordinator: --wait-timeout must be greater than 0 and at most 86400 seconds, got 1000000",
      "--set foo                      | coordinator: --set foo: expected NAME=VALUE (see --help)",
      "--stepz 5                      | coordinator: unknown option '--stepz' (did you mean --steps or --step-timeout? see --help)"})
  void badOptionsGetOneLineAndExitCodeTwo(String args, String expected) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
    Path run = dir.resolve("run");
    // Some options are checked once the port is bound: a free one, not the default 2551, which
    // another process on the machine may hold.
    String port = args.contains("--port") ? "" : " --port " + freePort();
    String[] all = (args.trim() + port + " --run-dir " + run).split("\\s+");
    int code = CoordinatorMain.run(all, Map.of(), false,
        new PrintStream(new ByteArrayOutputStream()), errStream);
    assertEquals(2, code);
    assertEquals(expected.trim() + "\n", err.toString(StandardCharsets.UTF_8));
    assertFalse(Files.exists(run));
  }

  private static int freePort() {
    try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1,
        java.net.InetAddress.getLoopbackAddress())) {
      return free.getLocalPort();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** A PyTorchJob's rank 0 (MASTER_ADDR loopback, as the test runs no pods). */
  private static final Map<String, String> RANK0 = Map.of("MASTER_ADDR", "127.0.0.1",
      "MASTER_PORT", "23456", "WORLD_SIZE", "3", "RANK", "0");

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "true  | 0 | --workers 3          | coordinator: --workers 3 contradicts WORLD_SIZE=3, which gives 2",
      "false | 0 | --port 2551          | coordinator: --port 2551 contradicts MASTER_PORT=23456",
      "false | 0 | --host 10.0.0.1      | coordinator: --host 10.0.0.1 contradicts MASTER_ADDR=127.0.0.1",
      "false | 1 | --steps 5            | coordinator: RANK=1 makes this process a worker (run 'tapetrain launch' or 'tapetrain worker' there)",
      "false | 9 | --steps 5            | coordinator: RANK=9 is outside 0 to 2 (WORLD_SIZE=3)"})
  void optionsThatContradictTheEnvironmentAreRefusedNamingBoth(boolean launched, String rank,
      String args, String expected) {
    java.util.Map<String, String> env = new java.util.HashMap<>(RANK0);
    env.put("RANK", rank.trim());
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
    Path run = dir.resolve("run");
    String[] all = (args.trim() + " --run-dir " + run).split("\\s+");
    int code = CoordinatorMain.run(all, env, launched,
        new PrintStream(new ByteArrayOutputStream()), errStream);
    assertEquals(2, code);
    assertEquals(expected.trim() + "\n", err.toString(StandardCharsets.UTF_8));
    assertFalse(Files.exists(run));
  }

  @Test
  void anEnvironmentThatWouldPlaceTheCoordinatorButForWorkersIsNamedInANote() throws Exception {
    int port = freePort();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Path run = dir.resolve("unplaced");
    // --workers opts out of the environment: the run waits a second at its own port and fails.
    // Started by bin/tapetrain (which sets the property), its hint names that command.
    System.setProperty("tapetrain.launcher", "bin/tapetrain");
    int code;
    try {
      code = CoordinatorMain.run(new String[] {"--workers", "2", "--port", "" + port,
          "--wait-timeout", "1", "--run-dir", run.toString()}, RANK0, false,
          new PrintStream(new ByteArrayOutputStream()),
          new PrintStream(err, true, StandardCharsets.UTF_8));
    } finally {
      System.clearProperty("tapetrain.launcher");
    }
    assertEquals(1, code);
    String text = err.toString(StandardCharsets.UTF_8);
    assertTrue(text.contains("; waiting for 2 worker(s): tapetrain worker --join 127.0.0.1:"
        + port + "\n"), text);
    assertTrue(text.contains("\ncoordinator: note: --workers is given, so RANK=0 does not place "
        + "this coordinator: it listens at its own --host/--port, not at 127.0.0.1:23456 where "
        + "workers placed by the environment look for it (drop --workers, or run 'tapetrain "
        + "launch')\n"), text);
  }

  @Test
  void aModelTooLargeForOneMessageIsRefusedBeforeAnyRunDirectoryWithItsNumbers()
      throws Exception {
    int port = freePort();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
    Path run = dir.resolve("run");
    // An mlp on one feature has 3H + 1 parameters: 240 001 are 1.83 MiB, just over the 90% of
    // the 2 MiB frame that one message may use.
    int code = CoordinatorMain.run(new String[] {"--port", "" + port, "--model", "mlp",
        "--hidden", "80000", "--run-dir", run.toString()}, Map.of(), false,
        new PrintStream(new ByteArrayOutputStream()), errStream);
    String line = err.toString(StandardCharsets.UTF_8);
    assertEquals(2, code, line);
    assertTrue(line.startsWith("coordinator: --model mlp: the model has 240001 parameters: "
        + "1.83 MiB in one message, over the 1.80 MiB (90%) that may be used of Artery's "
        + "maximum-frame-size of 2.00 MiB; raise it on every node with "
        + "-Dakka.remote.artery.advanced.maximum-frame-size=4MiB"), line);
    assertEquals(1, line.lines().count(), line);
    assertFalse(Files.exists(run));
  }
}
