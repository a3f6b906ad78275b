package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.example.FaultyModel;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * A user's model that misbehaves cannot take the trainer down (issue 25): one that throws,
 * returns null or overflows the stack fails the run once, naming the model, the step and the
 * error, in local-runner and across worker JVMs.
 * The model ({@link FaultyModel}) behaves until step 3 (its bias passes 0.1), so the run has
 * checkpoints to resume from.
 */
class ModelFailuresTest extends ProcessTestBase {

  private static final String STEP_3 = "0.1";

  private static String[] job(String fault, Path run, String... more) {
    return concat(new String[] {"--model", "test-faulty", "--set", "fault=" + fault, "--set",
        "fault-above=" + STEP_3, "--steps", "20", "--log-every", "1", "--checkpoint-every", "1",
        "--run-dir", run.toString()}, more);
  }

  /** Exactly one line of {@code err} tells the failure, and it says {@code expected}. */
  private static void assertOneLine(String err, String expected) {
    List<String> telling = err.lines().filter(l -> l.contains("test-faulty")).toList();
    assertEquals(1, telling.size(), err);
    assertTrue(telling.get(0).contains(expected), err);
    assertFalse(err.contains("\tat ") || err.contains("Exception in"), "no stack trace: " + err);
  }

  private static void assertFailedAfterStep2(Path run, String message) throws Exception {
    JsonNode summary = Runs.summary(run);
    assertEquals("failed", summary.get("status").asText(), summary.toString());
    assertEquals(2, summary.get("steps").asInt(), summary.toString());
    assertTrue(summary.get("message").asText().contains(message), summary.toString());
    assertEquals("--resume " + run, summary.get("resume").asText());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "throw    | lossSum threw java.lang.IllegalStateException: " + FaultyModel.MESSAGE,
      "null     | lossSum returned null",
      "overflow | lossSum threw java.lang.StackOverflowError"})
  void aModelThatThrowsOrReturnsNullFailsTheRunOnceNamingTheModelTheStepAndTheError(
      String fault, String error) throws Exception {
    Path run = dir.resolve(fault);
    Runs.Result r = Runs.run(job(fault, run));
    assertEquals(1, r.exitCode(), r.err());
    String line = "model test-faulty failed in step 3: " + error;
    assertOneLine(r.err(), "tapetrain: run failed after 2 step(s): " + line);
    assertTrue(r.err().contains("continue with: --resume " + run), r.err());
    assertFailedAfterStep2(run, line);
  }

  @Test
  void acrossWorkerJvmsAThrowingModelEndsTheRunOnceAndEveryWorkerExitsSayingWhy()
      throws Exception {
    int port = Processes.freePort();
    Path run = dir.resolve("cluster");
    Process coordinator = processes.coordinator("coordinator",
        job("throw", run, "--port", "" + port, "--workers", "2"));
    List<Process> workers = List.of(processes.worker("w1", port), processes.worker("w2", port));
    assertEquals(1, Processes.exitCode(coordinator, Duration.ofSeconds(90)),
        processes.stderr("coordinator"));
    String line = "model test-faulty failed in step 3: lossSum threw "
        + "java.lang.IllegalStateException: " + FaultyModel.MESSAGE;
    assertOneLine(processes.stderr("coordinator"), "run failed after 2 step(s): " + line);
    assertFailedAfterStep2(run, line);
    for (int i = 0; i < workers.size(); i++) {
      String name = "w" + (i + 1);
      // Told at once, so they exit at once (the coordinator waits for them to stop).
      assertEquals(1, Processes.exitCode(workers.get(i), Duration.ofSeconds(10)),
          processes.stderr(name));
      List<String> lines = processes.stderr(name).strip().lines().toList();
      assertEquals("worker: stopped by the coordinator: failed: " + line,
          lines.get(lines.size() - 1), processes.stderr(name));
      assertOneLine(processes.stderr(name), line);
    }
  }
}
