package dev.tapetrain.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.tapetrain.node.cli.Cli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
