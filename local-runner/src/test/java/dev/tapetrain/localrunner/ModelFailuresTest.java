package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.example.FaultyModel;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * A user's model that misbehaves cannot take the trainer down (issue 25): one that throws,
 * returns null or overflows the stack fails the run once, naming the model, the step and the
 * error; one that never returns fails it at {@code --step-timeout} and the JVM exits; a signal
 * still writes the final status; one that allocates without end is refused as out of memory.
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
    String line = "model test-faulty failed in step 2: " + error;
    assertOneLine(r.err(), "tapetrain: run failed after 2 step(s): " + line);
    assertTrue(r.err().contains("continue with: --resume " + run), r.err());
    assertFailedAfterStep2(run, line);
  }

  @Test
  void aModelThatNeverReturnsFailsTheRunAtTheStepDeadlineAndTheJvmExits() throws Exception {
    Path run = dir.resolve("loop");
    Process p = processes.localRunner("loop", job("loop", run, "--step-timeout", "1"));
    Processes.await("step 1", Duration.ofSeconds(60), () -> Processes.stepLines(run) >= 2);
    long stuck = System.nanoTime();
    assertEquals(1, Processes.exitCode(p, Duration.ofSeconds(20)), processes.stderr("loop"));
    // The deadline, the watchdog's poll and halting: well within 1 s + a few.
    double seconds = (System.nanoTime() - stuck) / 1e9;
    assertTrue(seconds < 6, "exited " + seconds + " s after step 3 began");
    String line = "model test-faulty did not return within the 1000 ms step deadline in step 2 "
        + "(--step-timeout)";
    assertOneLine(processes.stderr("loop"), line);
    assertTrue(processes.stderr("loop").contains("continue with: --resume " + run));
    assertFailedAfterStep2(run, line);
  }

  /**
   * Between periodic checkpoints (none yet here): the run still ends where its step log ends —
   * the steps it did, their loss and parameters, kept as the checkpoint that --resume continues
   * from — not at the start with no checkpoint to resume (a new-user round's finding).
   */
  @Test
  void aModelThatNeverReturnsBeforeAnyCheckpointEndsWithTheStepsItDid() throws Exception {
    Path run = dir.resolve("loop-early");
    Process p = processes.localRunner("loop-early", "--model", "test-faulty", "--set",
        "fault=loop", "--set", "fault-above=" + STEP_3, "--steps", "20", "--log-every", "1",
        "--run-dir", run.toString(), "--step-timeout", "1");
    assertEquals(1, Processes.exitCode(p, Duration.ofSeconds(60)), processes.stderr("loop-early"));
    assertFailedAfterStep2(run, "did not return within the 1000 ms step deadline");
    JsonNode summary = Runs.summary(run);
    List<Runs.Step> steps = Runs.steps(run);
    assertEquals(2, steps.size(), "steps 0 and 1 logged");
    assertEquals(steps.get(1).loss(), summary.get("loss").asDouble(), 0.0,
        "the last logged step's loss: " + summary);
    assertTrue(Files.exists(run.resolve("checkpoint.pb")), "a checkpoint to resume from");
    assertEquals(2, dev.tapetrain.coordinator.run.Checkpoints.read(run.resolve("checkpoint.pb"))
        .state().steps());
    assertTrue(processes.stderr("loop-early").contains("run failed after 2 step(s)"),
        processes.stderr("loop-early"));
  }

  @Test
  void sigtermWhileAModelNeverReturnsStillWritesTheInterruptedStatus() throws Exception {
    Path run = dir.resolve("held");
    // Two actor threads, both held: the coordinator cannot answer the signal itself.
    Process p = processes.localRunner("held", job("loop", run, "--threads", "2"));
    Processes.await("step 1", Duration.ofSeconds(60), () -> Processes.stepLines(run) >= 2);
    Thread.sleep(1500); // held longer than a round ever takes here
    long signalled = System.nanoTime();
    p.destroy(); // SIGTERM
    assertEquals(130, Processes.exitCode(p, Duration.ofSeconds(15)), processes.stderr("held"));
    double seconds = (System.nanoTime() - signalled) / 1e9;
    assertTrue(seconds < 5, "exited " + seconds + " s after the signal");
    JsonNode summary = Runs.summary(run);
    assertEquals("interrupted", summary.get("status").asText(), summary.toString());
    assertEquals(2, summary.get("steps").asInt(), summary.toString());
    assertTrue(processes.stderr("held").contains("continue with: --resume " + run));
  }

  @Test
  void aModelThatAllocatesWithoutEndFailsTheRunOutOfMemory() throws Exception {
    Path run = dir.resolve("allocate");
    Process p = processes.localRunnerWithJvm("allocate", List.of("-Xmx128m"),
        job("allocate", run));
    assertEquals(1, Processes.exitCode(p, Duration.ofSeconds(60)), processes.stderr("allocate"));
    JsonNode summary = Runs.summary(run);
    assertEquals("failed", summary.get("status").asText(), summary.toString());
    // Round 3 is step 2's, as the step log and the coordinator number it (was "in round 3").
    assertTrue(summary.get("message").asText().contains("out of memory in step 2 (-Xmx 128 MiB)"),
        summary.toString());
    assertTrue(Files.exists(run.resolve("checkpoint.pb")));
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
    String line = "model test-faulty failed in step 2: lossSum threw "
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

  @Test
  void aWorkerJvmWhoseModelNeverReturnsExitsOnceTheCoordinatorHasEnded() throws Exception {
    int port = Processes.freePort();
    Path run = dir.resolve("cluster");
    // Both documented ways of learning that the run is over must end the process: seeing the
    // coordinator leave, or (when its leaving gossip never reached this worker, whose looping
    // model competes for the CPU with its heartbeats) the coordinator unreachable for the
    // worker's patience. Short timers bound the second: patience = max(--coordinator-timeout,
    // --rejoin-timeout + the coordinator's downing time) = 3 s.
    Process coordinator = processes.coordinatorWithJvm("coordinator",
        List.of("-Dtapetrain.down-unreachable-after=3s"), job("loop", run, "--port", "" + port,
            "--workers", "1", "--step-timeout", "2", "--rejoin-timeout", "0"));
    Process worker = processes.worker("w1", port, "--coordinator-timeout", "3");
    assertEquals(1, Processes.exitCode(coordinator, Duration.ofSeconds(90)),
        processes.stderr("coordinator"));
    long ended = System.nanoTime();
    assertTrue(processes.stderr("coordinator").contains("missed the 2000 ms step deadline"),
        processes.stderr("coordinator"));
    // Documented: once it learns the run is over it stops its actor system within 5 s or halts.
    // Learning takes at most the failure detector's pause (3.5 s) plus the patience (3 s).
    assertEquals(1, Processes.exitCode(worker, Duration.ofSeconds(30)), processes.stderr("w1"));
    double seconds = (System.nanoTime() - ended) / 1e9;
    assertTrue(seconds < 3.5 + 3 + 5 /* ShutdownLimit.LIMIT */ + 3,
        "the worker exited " + seconds + " s after the coordinator");
    List<String> lines = processes.stderr("w1").strip().lines().toList();
    String last = lines.get(lines.size() - 1);
    // Named as the coordinator names it, "in step 2" (it said "from step 3", the round's number).
    assertTrue(last.startsWith("worker: the model has not returned for "), last);
    assertTrue(last.contains(" s (in step 2); "), last);
    assertTrue(last.contains("so the worker exits at once"), last);
  }


  @Test
  void aWorkerJvmWhoseModelNeverReturnsExitsWhenItsCoordinatorDiesWithoutLeaving()
      throws Exception {
    int port = Processes.freePort();
    Path run = dir.resolve("killed");
    // The coordinator waits far longer than the test for the step, then is killed: the worker
    // never sees it leave, only goes unreachable, and must give up after its patience (3 s).
    Process coordinator = processes.coordinatorWithJvm("coordinator",
        List.of("-Dtapetrain.down-unreachable-after=3s"), job("loop", run, "--port", "" + port,
            "--workers", "1", "--step-timeout", "600", "--rejoin-timeout", "0"));
    Process worker = processes.worker("w1", port, "--coordinator-timeout", "3");
    Path steps = run.resolve("steps.jsonl");
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!(Files.exists(steps) && Files.readAllLines(steps).size() >= 2)) {
      assertTrue(System.nanoTime() < deadline && coordinator.isAlive(),
          processes.stderr("coordinator"));
      Thread.sleep(100);
    }
    Thread.sleep(500); // step 3 is under way: the model holds the worker's thread
    Processes.kill9(coordinator);
    long killed = System.nanoTime();
    assertEquals(1, Processes.exitCode(worker, Duration.ofSeconds(30)), processes.stderr("w1"));
    double seconds = (System.nanoTime() - killed) / 1e9;
    // The failure detector's pause (3.5 s), the patience (3 s), ShutdownLimit.LIMIT (5 s), and
    // slack for a loaded CI machine (14.6 s was seen there); a worker that never gives up is
    // still caught: it would not exit within exitCode's 30 s.
    assertTrue(seconds < 3.5 + 3 + 5 + 8, "the worker exited " + seconds + " s after the kill");
    List<String> lines = processes.stderr("w1").strip().lines().toList();
    String last = lines.get(lines.size() - 1);
    // Named as the coordinator names it, "in step 2" (it said "from step 3", the round's number).
    assertTrue(last.startsWith("worker: the model has not returned for "), last);
    assertTrue(last.contains(" s (in step 2); "), last);
    assertTrue(last.contains("unreachable"), last);
  }
}
