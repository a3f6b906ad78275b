package dev.tapetrain.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tapetrain.node.cli.Cli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad worker options: one line naming the option, exit code 2, no actor system started. */
class WorkerMainTest {

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "--join nohost            | worker: --join: expected HOST:PORT, got 'nohost'",
      "--join h:x               | worker: --join: 'x' is not a port",
      "--join h:0               | worker: --join must be between 1 and 65535, got 0",
      "--join h:1 --port 70000  | worker: --port must be 0 (any free port) or between 1 and 65535, got 70000",
      "--port 1                 | worker: Missing required option: '--join=HOST:PORT' (see --help)",
      "--join nosuchhost.invalid:2551 | worker: --join nosuchhost.invalid:2551: host 'nosuchhost.invalid' does not resolve (check the name, or use the coordinator's IP address)",
      "--join h:1 --coordinator-timeout 0 | worker: --coordinator-timeout must be between 0 and 86400 seconds, got 0.0"})
  void badOptionsGetOneLineAndExitCodeTwo(String args, String expected) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
    int code = Cli.execute(new WorkerMain(errStream), args.trim().split("\\s+"),
        new PrintStream(new ByteArrayOutputStream()), errStream);
    assertEquals(2, code);
    assertEquals(expected.trim() + "\n", err.toString(StandardCharsets.UTF_8));
  }
}
