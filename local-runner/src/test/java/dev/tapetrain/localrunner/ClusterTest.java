package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapetrain.coordinator.run.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Coordinator and workers as separate JVMs on loopback (free ports), compared bit for bit with
 * local-runner on the same job. Every process is killed in {@link #killProcesses()}, pass or fail.
 */
class ClusterTest extends ProcessTestBase {

  private static final Duration RUN_TIMEOUT = Duration.ofSeconds(120);

  private List<Runs.Step> localReference(String... job) throws Exception {
    Path run = dir.resolve("local");
    String[] args = concat(job, "--workers", "3", "--run-dir", run.toString());
    Runs.Result r = Runs.run(args);
    assertEquals(0, r.exitCode(), r.err());
    return Runs.steps(run);
  }

  /**
   * Every step the reference logged is in {@code actual} with the same bits. (A run with worker
   * events also logs the steps where they happened, so {@code actual} may have more lines.)
   */
  private static void assertBitIdentical(List<Runs.Step> expected, List<Runs.Step> actual) {
    assertEquals(expected, Runs.sameStepsAs(expected, actual), "bit for bit");
  }

  /**
   * Runs {@code job} on a coordinator and three worker JVMs, {@code kill -9}s one once
   * {@code lines} steps are logged, and returns the run directory after a successful end.
   */
  private Path runOnThreeWorkersKillingOne(String[] job, int lines) throws Exception {
    return runOnThreeWorkersKillingOne(job, lines, false);
  }

  /**
   * As {@link #runOnThreeWorkersKillingOne(String[], int)}; with {@code term}, the worker is
   * sent SIGTERM instead (what Kubernetes sends a pod it deletes): it leaves the cluster, exits
   * 130 and says why in its last line.
   */
  private Path runOnThreeWorkersKillingOne(String[] job, int lines, boolean term)
      throws Exception {
    int port = Processes.freePort();
    Path run = dir.resolve("cluster");
    Process coordinator = coordinator(port, 3, run, job);
    Process w1 = processes.worker("w1", port);
    processes.worker("w2", port);
    processes.worker("w3", port);
    Processes.await(lines + " logged steps", RUN_TIMEOUT,
        () -> Processes.stepLines(run) >= lines);
    if (term) {
      w1.destroy();
      assertEquals(130, Processes.exitCode(w1, RUN_TIMEOUT), processes.stderr("w1"));
      List<String> lines1 = processes.stderr("w1").strip().lines().toList();
      assertEquals("worker: stopped by a signal (Ctrl-C or SIGTERM); it left the cluster, so "
          + "the coordinator moves its chunks to the other workers",
          lines1.get(lines1.size() - 1));
    } else {
      Processes.kill9(w1);
    }
    assertEquals(0, Processes.exitCode(coordinator, RUN_TIMEOUT), processes.stderr("coordinator"));
    return run;
  }

  private Process coordinator(int port, int workers, Path run, String... job) throws Exception {
    return processes.coordinator("coordinator", concat(job, "--port", "" + port,
        "--workers", "" + workers, "--run-dir", run.toString()));
  }

  @Test
  void coordinatorAndTwoCompilingWorkerJvmsGiveTheSameBitsAsLocalRunner() throws Exception {
    String[] job = {"--steps", "60"};
    List<Runs.Step> reference = localReference(job);
    int port = Processes.freePort();
    Path run = dir.resolve("cluster");
    Process coordinator = coordinator(port, 2, run, job);
    // The reference runs the tape eagerly; these workers compile it before their first step.
    processes.withEnv("JAVA_TOOL_OPTIONS",
        "-Dtapetrain.compileAfterSamples=0 -Dtapetrain.log.level=INFO");
    Process w1 = processes.worker("w1", port);
    Process w2 = processes.worker("w2", port);
    assertEquals(0, Processes.exitCode(coordinator, RUN_TIMEOUT), processes.stderr("coordinator"));
    assertEquals(0, Processes.exitCode(w1, Duration.ofSeconds(20)), processes.stderr("w1"));
    assertEquals(0, Processes.exitCode(w2, Duration.ofSeconds(20)), processes.stderr("w2"));
    assertBitIdentical(reference, Runs.steps(run));
    for (String w : List.of("w1", "w2")) {
      String log = processes.stdout(w) + processes.stderr(w);
      assertTrue(log.contains("compiled the tape's loss and gradients"), log);
    }
    String out = processes.stdout("coordinator");
    assertTrue(out.startsWith("Initial loss: "), out);
    assertTrue(processes.stderr("coordinator").contains("worker 2/2 joined: "),
        processes.stderr("coordinator"));
    JsonNode summary = Runs.summary(run);
    assertEquals("completed", summary.get("status").asText());
    assertEquals(2, summary.get("workers").asInt());
  }

  @Test
  void aWorkerKilledMidRunLosesItsChunksAndTheResultIsUnchanged() throws Exception {
    // Thousands of steps (a few seconds across JVMs), so the kill lands mid-run.
    String[] job = {"--steps", "3000"};
    List<Runs.Step> reference = localReference(job);
    Path run = runOnThreeWorkersKillingOne(job, 20);
    assertBitIdentical(reference, Runs.steps(run));
    JsonNode event = firstEvent(run);
    assertTrue(event.get("chunks_moved").asInt() > 0, event.toString());
    assertTrue(event.get("recovery_ms").asDouble() > 0, event.toString());
    assertEquals(2, Runs.summary(run).get("workers").asInt());
  }

  /** Each classifier and the MLP across JVMs: labels 0/1 for logistic, 0..2 for the others. */
  static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> models() {
    return java.util.stream.Stream.of(
        org.junit.jupiter.params.provider.Arguments.of("logistic", 2, new String[0], false),
        // The softmax run's worker gets SIGTERM: a graceful leave keeps the bits as a kill does.
        org.junit.jupiter.params.provider.Arguments.of("softmax", 3, new String[0], true),
        org.junit.jupiter.params.provider.Arguments.of("mlp", 0,
            new String[] {"--hidden", "8"}, false),
        org.junit.jupiter.params.provider.Arguments.of("mlp", 3,
            new String[] {"--hidden", "8", "--classes", "3"}, false));
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "{0} with {1} classes")
  @org.junit.jupiter.params.provider.MethodSource("models")
  void aModelAcrossJvmsWithAWorkerKilledMidRunKeepsEveryBit(String model, int classes,
      String[] options, boolean term) throws Exception {
    Path data = dir.resolve("data.csv");
    StringBuilder csv = new StringBuilder("a,b,label\n");
    java.util.Random rnd = new java.util.Random(23);
    for (int i = 0; i < 3000; i++) {
      double a = rnd.nextGaussian();
      double b = rnd.nextGaussian();
      double s = a - 0.5 * b + 0.4 * rnd.nextGaussian();
      double label = classes == 0 ? s : classes == 2 ? (s > 0 ? 1 : 0)
          : s < -0.5 ? 0 : s < 0.5 ? 1 : 2;
      csv.append(a).append(',').append(b).append(',').append(label).append('\n');
    }
    Files.writeString(data, csv);
    String[] job = concat(new String[] {"--model", model, "--data", data.toString(),
        "--features", "a,b", "--target", "label", "--learning-rate", "0.3", "--steps", "1500",
        "--log-every", "100"}, options);
    List<Runs.Step> reference = localReference(job);
    Path run = runOnThreeWorkersKillingOne(job, 3, term);
    assertBitIdentical(reference, Runs.steps(run));
    assertEquals(Runs.summary(dir.resolve("local")).get("params"),
        Runs.summary(run).get("params"), "the trained parameters, bit for bit");
    assertTrue(firstEvent(run).get("chunks_moved").asInt() > 0);
  }

  @Test
  void aModelWithMoreThanAHundredThousandParametersTrainsAcrossTwoWorkerJvms() throws Exception {
    // mlp, 10 features, 9000 hidden units: 10·9000 + 9000 + 9000 + 1 = 108 001 parameters,
    // 0.86 MB of gradients per chunk: one result per chunk (8 chunks a worker, 6.9 MB) would
    // not fit a 2 MiB frame; one chunk-tree node per worker does.
    String[] job = {"--model", "mlp", "--hidden", "9000", "--true-w", "1,2,3,4,5,6,7,8,9,10",
        "--examples", "1024", "--steps", "3", "--learning-rate", "0.01"};
    List<Runs.Step> reference = localReference(job);
    int port = Processes.freePort();
    Path run = dir.resolve("cluster");
    Process coordinator = coordinator(port, 2, run, job);
    processes.worker("w1", port);
    processes.worker("w2", port);
    assertEquals(0, Processes.exitCode(coordinator, RUN_TIMEOUT), processes.stderr("coordinator"));
    assertBitIdentical(reference, Runs.steps(run));
    assertEquals(Runs.summary(dir.resolve("local")).get("params"),
        Runs.summary(run).get("params"), "all 108 001 parameters, bit for bit");
  }

  @Test
  void aWorkerStartedMidRunTakesOverChunksAndTheResultIsUnchanged() throws Exception {
    // Long enough (10+ s across JVMs) for a new JVM to start and join while training runs.
    String[] job = {"--steps", "10000", "--log-every", "100"};
    List<Runs.Step> reference = localReference(job);
    int port = Processes.freePort();
    Path run = dir.resolve("cluster");
    Process coordinator = coordinator(port, 2, run, job);
    processes.worker("w1", port);
    processes.worker("w2", port);
    Processes.await("training", RUN_TIMEOUT,
        () -> processes.stdoutQuietly("coordinator").contains("Initial loss"));
    Process late = processes.worker("w3", port);
    assertEquals(0, Processes.exitCode(coordinator, RUN_TIMEOUT), processes.stderr("coordinator"));
    assertEquals(0, Processes.exitCode(late, Duration.ofSeconds(20)), processes.stderr("w3"));
    assertBitIdentical(reference, Runs.steps(run));
    JsonNode event = firstEvent(run);
    assertEquals("joined", event.get("reason").asText());
    assertTrue(event.get("chunks_moved").asInt() > 0, event.toString());
    assertEquals(3, Runs.summary(run).get("workers").asInt());
  }

  @Test
  void workersExitNonZeroSoonAfterTheCoordinatorIsKilled() throws Exception {
    int port = Processes.freePort();
    Path run = dir.resolve("cluster");
    // A worker waits for a silent coordinator the longer of its --coordinator-timeout and the
    // coordinator's --rejoin-timeout + down-unreachable-after (told at admission): here 6 s
    // against 1 s + 2 s, so the former (the defaults, 20 s and 60 s + 15 s, only cost CI time).
    Process coordinator = processes.coordinatorWithJvm("coordinator",
        List.of("-Dtapetrain.down-unreachable-after=2s"), "--steps", "1000000", "--log-every",
        "1000", "--rejoin-timeout", "1", "--port", "" + port, "--workers", "2", "--run-dir",
        run.toString());
    Process w1 = processes.worker("w1", port, "--coordinator-timeout", "6");
    Process w2 = processes.worker("w2", port, "--coordinator-timeout", "6");
    Processes.await("training", RUN_TIMEOUT,
        () -> processes.stdoutQuietly("coordinator").contains("Initial loss"));
    Processes.kill9(coordinator);
    long killed = System.nanoTime();
    // Unreachable after ~4 s, then --coordinator-timeout (6 s): 40 s leaves room for a loaded
    // CI machine. (By default they wait longer, so that a network blip does not end a run.)
    assertNotEquals(0, Processes.exitCode(w1, Duration.ofSeconds(40)));
    assertNotEquals(0, Processes.exitCode(w2, Duration.ofSeconds(40)));
    double seconds = (System.nanoTime() - killed) / 1e9;
    assertTrue(processes.stderr("w1").contains("was unreachable for 6 s (--coordinator-timeout)"),
        processes.stderr("w1"));
    System.out.printf("workers exited %.1f s after the coordinator was killed%n", seconds);
  }

  @Test
  void aJoinerReadingADifferentFileIsRefusedAtJoinAndTheRunIsUnchanged() throws Exception {
    Path data = dir.resolve("train.csv");
    StringBuilder csv = new StringBuilder("x,y\n");
    java.util.Random rnd = new java.util.Random(11);
    for (int i = 0; i < 5000; i++) {
      double x = rnd.nextGaussian();
      csv.append(x).append(',').append(3 * x + 2 + rnd.nextGaussian()).append('\n');
    }
    Files.writeString(data, csv);
    // The run must outlast the joiner's start on any machine, so it is long and ended with
    // SIGTERM once the joiner was refused; the reference then trains as many steps locally.
    String[] job = {"--data", data.toString(), "--log-every", "100"};
    int port = Processes.freePort();
    Path run = dir.resolve("cluster");
    Process coordinator = coordinator(port, 1, run, concat(job, "--steps", "100000000"));
    processes.worker("w1", port);
    Processes.await("training", RUN_TIMEOUT,
        () -> processes.stdoutQuietly("coordinator").contains("Initial loss"));
    // The joiner's machine has another copy of the file (here: the file changed on disk).
    Files.writeString(data, csv.toString().replaceFirst("\n[^\n]*\n", "\n1,2\n"));
    Process joiner = processes.worker("w2", port);
    assertEquals(1, Processes.exitCode(joiner, RUN_TIMEOUT), processes.stderr("w2"));
    String joinerErr = processes.stderr("w2");
    assertTrue(joinerErr.contains("worker: stopped by the coordinator: refused by the "
        + "coordinator: it cannot take part: " + data + ": this copy differs from the "
        + "coordinator's"), joinerErr + "\n--- coordinator:\n" + processes.stderr("coordinator"));
    coordinator.destroy(); // SIGTERM: the run ends interrupted, its log intact
    assertEquals(130, Processes.exitCode(coordinator, RUN_TIMEOUT), processes.stderr("coordinator"));
    String coordinatorErr = processes.stderr("coordinator");
    assertTrue(coordinatorErr.contains("refused: it cannot take part"), coordinatorErr);
    List<Runs.Step> steps = Runs.steps(run);
    long last = steps.stream().mapToLong(Runs.Step::step).filter(s -> s % 100 == 0).max()
        .orElseThrow();
    assertTrue(last >= 100, "the run trained past the join: " + last);
    Files.writeString(data, csv);
    assertBitIdentical(localReference(concat(job, "--steps", Long.toString(last))), steps);
    String log = Files.readString(run.resolve("steps.jsonl"));
    assertTrue(!log.contains("\"joined\""), "the refused joiner never took work");
    assertEquals(1, Runs.summary(run).get("workers").asInt());
  }

  @Test
  void aWorkerThatCannotReachItsCoordinatorSaysWhereAndWhatToCheck() throws Exception {
    int port = Processes.freePort();
    Process w = processes.worker("w", port, "--join-timeout", "3");
    assertEquals(1, Processes.exitCode(w, Duration.ofSeconds(60)));
    String err = processes.stderr("w");
    String last = err.lines().reduce((a, b) -> b).orElse("");
    assertTrue(last.startsWith("worker: could not join the coordinator at 127.0.0.1:" + port
        + " within 3 s"), err);
    assertTrue(last.contains("Check that the coordinator runs"), err);
    assertTrue(!err.contains("the actor system stopped"), err);
  }

  private static JsonNode firstEvent(Path run) throws Exception {
    for (String line : Files.readAllLines(run.resolve("steps.jsonl"))) {
      JsonNode events = Json.MAPPER.readTree(line).get("reassignments");
      if (events.size() > 0) {
        return events.get(0);
      }
    }
    throw new AssertionError("no reassignment recorded in steps.jsonl");
  }
}
