package dev.tapetrain.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.node.cli.Cli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
      "--workers 0                    | coordinator: --workers must be at least 1, got 0"})
  void badOptionsGetOneLineAndExitCodeTwo(String args, String expected) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
    Path run = dir.resolve("run");
    String[] all = (args.trim() + " --run-dir " + run).split("\\s+");
    int code = Cli.execute(new CoordinatorMain(new PrintStream(new ByteArrayOutputStream()),
        errStream), all, new PrintStream(new ByteArrayOutputStream()), errStream);
    assertEquals(2, code);
    assertEquals(expected.trim() + "\n", err.toString(StandardCharsets.UTF_8));
    assertFalse(Files.exists(run));
  }

  @Test
  void aModelTooLargeForOneMessageIsRefusedBeforeAnyRunDirectoryWithItsNumbers()
      throws Exception {
    int port;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1,
        java.net.InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
    Path run = dir.resolve("run");
    // An mlp on one feature has 3H + 1 parameters: 240 001 are 1.83 MiB, just over the 90% of
    // the 2 MiB frame that one message may use.
    int code = Cli.execute(new CoordinatorMain(new PrintStream(new ByteArrayOutputStream()),
        errStream), new String[] {"--port", "" + port, "--model", "mlp", "--hidden", "80000",
            "--run-dir", run.toString()},
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
