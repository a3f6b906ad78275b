package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tapetrain.coordinator.run.Json;
import dev.tapetrain.coordinator.run.RunLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A run whose summary says {@code running} while no process holds its lock was killed
 * ({@code kill -9}, a machine gone): {@code inspect}, {@code predict} and {@code export} say
 * "interrupted (no process holds the run; resume with --resume DIR)" instead of "running"
 * (issue 25, rough edges), from {@link RunLock#isHeld}, checked against a real second process.
 */
class InterruptedRunTest extends ProcessTestBase {

  /**
   * A signal right after the run directory exists, while the actor system starts (up to seconds
   * under load), ends the run as interrupted with 130, as a signal later does; it left the
   * summary "running" with neither --resume nor the same command able to go on (a new-user test
   * round, 2026-12-07). --resume then says how to start it again, and that works.
   */
  @Test
  void aSignalWhileTheRunStartsEndsItInterruptedAndItCanBeStartedAgain() throws Exception {
    Path run = dir.resolve("early");
    String[] job = {"--steps", "100000000", "--workers", "1", "--checkpoint-every", "1000",
        "--log-every", "1000", "--run-dir", run.toString()};
    Process p = processes.localRunner("early", job);
    // Once it says so: a signal while the directory is made is as a kill -9 then, see below.
    Processes.await("the run directory", Duration.ofSeconds(60),
        () -> processes.stderrQuietly("early").contains("run directory: "));
    p.destroy(); // SIGTERM
    assertEquals(130, Processes.exitCode(p, Duration.ofSeconds(30)), processes.stderr("early"));
    assertEquals("interrupted", Runs.summary(run).get("status").asText(),
        processes.stderr("early"));
    assertFalse(processes.stderr("early").contains("\tat "), processes.stderr("early"));
    Runs.Result same = Runs.run(job);
    assertEquals(2, same.exitCode());
    assertTrue(same.err().contains("stopped before its first checkpoint"), same.err());
    Runs.Result resumed = Runs.run("--resume", run.toString());
    assertEquals(2, resumed.exitCode());
    assertTrue(resumed.err().contains("no checkpoint") && resumed.err().contains(
        "--resume-if-exists starts it over"), resumed.err());
    Runs.Result again = Runs.run("--steps", "3", "--workers", "1", "--run-dir", run.toString(),
        "--resume-if-exists");
    assertEquals(0, again.exitCode(), again.err());
    assertEquals("completed", Runs.summary(run).get("status").asText());
  }

  /**
   * A signal while the run directory is made (as soon as run.lock exists; the test model holds
   * the making for seconds) exits 130 saying to run the same command again, and that works: it
   * exited 143 leaving only run.lock, which the same command, --resume and --resume-if-exists
   * all refused, so a rank-0 pod on a persistent volume crash-looped (new-user test round,
   * 2026-12-07).
   */
  @Test
  void aSignalWhileTheDirectoryIsMadeTakesTheStartBackAndTheSameCommandRuns() throws Exception {
    Path run = dir.resolve("making");
    String[] job = {"--model", "test-slow-start", "--steps", "3", "--workers", "1",
        "--run-dir", run.toString()};
    Process p = processes.localRunner("making", job);
    Processes.await("run.lock", Duration.ofSeconds(60),
        () -> Files.exists(run.resolve(RunLock.FILE)));
    p.destroy(); // SIGTERM
    assertEquals(130, Processes.exitCode(p, Duration.ofSeconds(30)), processes.stderr("making"));
    String err = processes.stderr("making");
    assertTrue(err.contains("interrupted before the run started; " + run
        + " keeps nothing of it: run the same command again"), err);
    assertFalse(err.contains("run directory: "), err);
    assertFalse(err.contains("\tat "), err);
    Runs.Result resumed = Runs.run("--resume", run.toString());
    assertEquals(2, resumed.exitCode());
    assertTrue(resumed.err().contains("holds no run yet"), resumed.err());
    Runs.Result same = Runs.run(job);
    assertEquals(0, same.exitCode(), same.err());
    assertTrue(same.err().contains("held only the run.lock of a start that was stopped"),
        same.err());
    assertEquals("completed", Runs.summary(run).get("status").asText());
  }

  @Test
  void aRunKilledWithKill9IsInterruptedForInspectPredictAndExport() throws Exception {
    Path run = dir.resolve("run");
    Process trainer = processes.trainingPastACheckpoint("trainer", run);
    assertTrue(RunLock.isHeld(run), "the trainer holds the run");
    Runs.Result live = Runs.run("inspect", run.toString());
    assertEquals(0, live.exitCode(), live.err());
    assertTrue(live.out().contains("status:         running ("), live.out());
    assertTrue(trainer.isAlive(), "probing the lock leaves the writer alone");

    Processes.kill9(trainer);
    assertFalse(RunLock.isHeld(run));
    assertEquals("running", Runs.summary(run).get("status").asText(), "the file still says so");
    String interrupted = "interrupted (no process holds the run; resume with --resume " + run
        + ")";
    Runs.Result text = Runs.run("inspect", run.toString());
    assertEquals(0, text.exitCode(), text.err());
    assertTrue(text.out().contains("status:         " + interrupted + ", "), text.out());
    JsonNode json = Json.MAPPER.readTree(Runs.run("inspect", run.toString(), "--format", "json")
        .out());
    assertEquals("interrupted", json.get("status").asText());
    // --follow ends instead of waiting forever for a run nobody writes.
    Runs.Result followed = CompletableFuture.supplyAsync(() -> Runs.run("inspect",
        run.toString(), "--follow")).get(60, TimeUnit.SECONDS);
    assertTrue(followed.out().contains("status:         " + interrupted), followed.out());

    Path rows = dir.resolve("rows.csv");
    Files.writeString(rows, "x\n1\n2\n");
    Runs.Result predicted = Runs.run("predict", run.toString(), "--data", rows.toString(),
        "--out", dir.resolve("p.csv").toString());
    assertEquals(0, predicted.exitCode(), predicted.err());
    assertTrue(predicted.err().contains("predict: note: run " + run + " is " + interrupted
        + "; using its checkpoint after step "), predicted.err());
    Runs.Result exported = Runs.run("export", run.toString(), "--onnx",
        dir.resolve("m.onnx").toString());
    assertEquals(0, exported.exitCode(), exported.err());
    assertTrue(exported.err().contains("export: note: run " + run + " is " + interrupted),
        exported.err());
  }

  /**
   * A plug-in that throws after the run directory exists and before the actors start (its
   * factory's flatParameters) fails the run with its own error and exit 1: the early signal hook
   * must not stay behind and turn the JVM's exit into a false "interrupted" (130).
   */
  @Test
  void aPluginErrorBeforeTheActorsStartFailsTheRunWithItsOwnWords() throws Exception {
    Path run = dir.resolve("plugin");
    Process p = processes.localRunner("plugin", "--model", "test-throwing-list", "--steps", "3",
        "--run-dir", run.toString());
    int code = Processes.exitCode(p, Duration.ofSeconds(60));
    String err = processes.stderr("plugin");
    assertEquals(1, code, err);
    assertTrue(err.contains(com.example.ThrowingListModel.MESSAGE), err);
    assertFalse(err.contains("interrupted"), err);
    JsonNode summary = Runs.summary(run);
    assertEquals("failed", summary.get("status").asText(), summary.toString());
    assertTrue(summary.get("message").asText().contains(com.example.ThrowingListModel.MESSAGE),
        summary.toString());
  }

  @Test
  void aRunKilledBeforeItsFirstCheckpointIsToldToStartOverNotToResume() throws Exception {
    Path run = dir.resolve("run");
    assertEquals(0, Runs.run("--steps", "5", "--run-dir", run.toString()).exitCode());
    ObjectNode summary = (ObjectNode) Runs.summary(run);
    summary.put("status", "running"); // as a run killed before its first checkpoint
    Json.writeAtomically(run.resolve("summary.json"), summary);
    Files.delete(run.resolve("checkpoint.pb"));
    Runs.Result text = Runs.run("inspect", run.toString());
    assertEquals(0, text.exitCode(), text.err());
    assertTrue(text.out().contains("interrupted (no process holds the run, which stopped before "
        + "its first checkpoint; start it over with the command that started it and "
        + "--resume-if-exists --run-dir " + run + " (its options are in "
        + run.resolve("config.json") + "))"),
        text.out());
    assertFalse(text.out().contains("--resume " + run), text.out());
  }

  @Test
  void probingTheLockInTheProcessThatHoldsItKeepsItHeld() throws Exception {
    // POSIX locks belong to the process, and closing any channel of the file would release
    // them: a probe in the holder's own JVM must not open the file.
    Path run = dir.resolve("run");
    assertEquals(0, Runs.run("--steps", "5", "--run-dir", run.toString()).exitCode());
    ObjectNode summary = (ObjectNode) Runs.summary(run);
    summary.put("status", "running"); // as a killed run's
    Json.writeAtomically(run.resolve("summary.json"), summary);
    RunLock earlier = RunLock.acquire(run, "--resume");
    earlier.close();
    try (RunLock lock = RunLock.acquire(run, "--resume")) {
      earlier.close(); // closed twice: must not forget the current holder
      for (int i = 0; i < 3; i++) {
        assertTrue(RunLock.isHeld(run));
      }
      assertTrue(Runs.run("inspect", run.toString()).out().contains("status:         running ("));
      Process other = processes.localRunner("other", "inspect", run.toString());
      assertEquals(0, Processes.exitCode(other, Duration.ofSeconds(60)),
          processes.stderr("other"));
      assertTrue(processes.stdout("other").contains("status:         running ("),
          "another process still sees the lock: " + processes.stdout("other"));
    }
    assertFalse(RunLock.isHeld(run));
    assertTrue(Runs.run("inspect", run.toString()).out().contains("status:         interrupted"));
  }
}
