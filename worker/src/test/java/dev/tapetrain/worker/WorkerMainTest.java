package dev.tapetrain.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad worker options: one line naming the option, exit code 2, no actor system started. */
class WorkerMainTest {

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "--join nohost            | worker: --join: expected HOST:PORT, got 'nohost'",
      "--join h:x               | worker: --join: 'x' is not a port",
      "--join h:0               | worker: --join's port must be between 1 and 65535, got 0",
      "--join h:1 --port 70000  | worker: --port must be 0 (any free port) or between 1 and 65535, got 70000",
      "--port 1                 | worker: --join HOST:PORT is required (or the variables MASTER_ADDR, MASTER_PORT, WORLD_SIZE and RANK, or TF_CONFIG, that place this worker)",
      "--join nosuchhost.invalid:2551 | worker: --join nosuchhost.invalid:2551: host 'nosuchhost.invalid' does not resolve (check the name, or use the coordinator's IP address)",
      "--join h:1 --coordinator-timeout 0 | worker: --coordinator-timeout must be greater than 0 and at most 86400 seconds, got 0",
      "--join h:1 --join-timout 5 | worker: unknown option '--join-timout' (did you mean --join or --join-timeout? see --help)",
      "--join h:1 --worker-threads 0 | worker: --worker-threads must be between 1 and 256, got 0",
      "--join h:1 --worker-threads -2 | worker: --worker-threads must be between 1 and 256, got -2",
      "--join h:1 --worker-threads two | worker: --worker-threads must be a whole number between 1 and 256, got 'two'"})
  void badOptionsGetOneLineAndExitCodeTwo(String args, String expected) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
    int code = WorkerMain.run(args.trim().split("\\s+"), Map.of(), false,
        new PrintStream(new ByteArrayOutputStream()), errStream);
    assertEquals(2, code);
    assertEquals(expected.trim() + "\n", err.toString(StandardCharsets.UTF_8));
  }

  private static final String TF_CONFIG = "{\"cluster\": {\"chief\": [\"127.0.0.1:2222\"], "
      + "\"worker\": [\"127.0.0.1:2223\"]}, \"task\": {\"type\": \"worker\", \"index\": 0}}";

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "false | RANK=0   | --port 0             | worker: RANK=0 makes this process the coordinator (run 'tapetrain launch' or 'tapetrain coordinator' there)",
      "true  | RANK=1   | --join other:23456   | worker: --join other:23456 contradicts MASTER_ADDR=127.0.0.1 and MASTER_PORT=23456, which gives 127.0.0.1:23456",
      "false | RANK=1 MASTER_PORT=x | --port 0   | worker: MASTER_PORT=x is not a whole number",
      "false | TF       | --port 5             | worker: --port 5 contradicts TF_CONFIG (task worker 0), which gives 2223",
      "false | TF       | --host 10.1.1.1      | worker: --host 10.1.1.1 contradicts TF_CONFIG (task worker 0), which gives 127.0.0.1"})
  void optionsThatContradictTheEnvironmentAreRefusedNamingBoth(boolean launched, String vars,
      String args, String expected) {
    Map<String, String> env = new HashMap<>();
    for (String v : vars.trim().split(" ")) {
      if (v.equals("TF")) {
        env.put("TF_CONFIG", TF_CONFIG);
      } else {
        env.putAll(Map.of("MASTER_ADDR", "127.0.0.1", "MASTER_PORT", "23456", "WORLD_SIZE", "2"));
        env.put(v.substring(0, v.indexOf('=')), v.substring(v.indexOf('=') + 1));
      }
    }
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
    int code = WorkerMain.run(args.trim().split("\\s+"), env, launched,
        new PrintStream(new ByteArrayOutputStream()), errStream);
    assertEquals(2, code);
    assertEquals(expected.trim() + "\n", err.toString(StandardCharsets.UTF_8));
  }

  @org.junit.jupiter.api.Test
  void aPlacedWorkerWhoseCoordinatorsNameNeverResolvesSaysSo() {
    // Under Kubernetes a worker may start before its coordinator's Service name resolves, so it
    // is not refused at start; if the name never resolves its last line says that, not that
    // "nothing answered" (a new user's wrong Service name, 2026-12-07).
    Map<String, String> env = Map.of("MASTER_ADDR", "no-such-host.invalid", "MASTER_PORT",
        "23456", "WORLD_SIZE", "2", "RANK", "1");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    // --cache off: in this JVM a worker's loop cache would outlive the test (CompiledFunction's
    // store is global) and compile the next tests' models at once.
    int code = WorkerMain.run(new String[] {"--join-timeout", "1", "--host", "127.0.0.1",
        "--cache", "off"}, env,
        true, new PrintStream(new ByteArrayOutputStream()),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(1, code, err.toString(StandardCharsets.UTF_8));
    String last = err.toString(StandardCharsets.UTF_8).strip().lines()
        .reduce((a, b) -> b).orElse("");
    assertEquals("worker: could not join the coordinator at no-such-host.invalid:23456 within "
        + "1 s: its name 'no-such-host.invalid' still does not resolve here (check the name; "
        + "under Kubernetes, the Service's name and namespace)", last);
  }
}
