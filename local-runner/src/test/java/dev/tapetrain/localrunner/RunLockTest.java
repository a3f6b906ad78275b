package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * One writer per run directory, and logs that lost lines are never taken for complete ones
 * (issue 14, item 1).
 */
class RunLockTest extends ProcessTestBase {

  private static final String[] LONG_JOB = {"--steps", "3000", "--examples", "100000",
      "--checkpoint-every", "50", "--log-every", "100", "--workers", "2"};

  @Test
  void aSecondProcessCannotWriteARunWhileTheFirstTrainsAndAKill9LeavesItUnlocked()
      throws Exception {
    Path reference = dir.resolve("reference");
    assertEquals(0, Runs.run(concat(LONG_JOB, "--run-dir", reference.toString())).exitCode());
    Path run = dir.resolve("run");
    Process first = processes.localRunner("first", concat(LONG_JOB, "--run-dir", run.toString()));
    Processes.await("a checkpoint", Duration.ofSeconds(60),
        () -> Files.exists(run.resolve("checkpoint.pb")));
    // Held mid-run, lock and all: on a fast machine the job could otherwise end (and free the
    // run) before the second JVM has started.
    Processes.pause(first);

    Process second = processes.localRunner("second", "--resume", run.toString());
    assertEquals(2, Processes.exitCode(second, Duration.ofSeconds(60)));
    String refused = processes.stderr("second");
    assertEquals(1, refused.lines().count(), refused);
    assertTrue(refused.contains("in use by another process (pid " + first.pid() + " on "),
        refused);
    assertTrue(first.isAlive(), "the first writer is still there (paused, holding the lock)");

    Processes.kill9(first);
    // The OS released the lock with the process: the run resumes, every step once, same bits.
    Runs.Result resumed = Runs.run("--resume", run.toString());
    assertEquals(0, resumed.exitCode(), resumed.err());
    List<Runs.Step> steps = Runs.steps(run);
    Set<Long> seen = new HashSet<>();
    steps.forEach(s -> assertTrue(seen.add(s.step()), "step " + s.step() + " logged twice"));
    assertEquals(Runs.steps(reference), steps, "bit for bit");
    Runs.Result same = Runs.run("inspect", reference.toString(), run.toString());
    assertEquals(0, same.exitCode(), same.out());
    // TensorBoard's log: the steps the killed process logged after its last checkpoint were
    // cut on resume, so each step appears once, with the reference's values.
    List<TfEvents.Event> events = TfEvents.read(TfEvents.file(run));
    List<TfEvents.Event> expected = TfEvents.read(TfEvents.file(reference));
    assertEquals(expected.stream().map(e -> e.step() + " " + e.scalars().get("loss")).toList(),
        events.stream().map(e -> e.step() + " " + e.scalars().get("loss")).toList());
  }

  @Test
  void aResumeOfACutLogSaysSoRecordsTheGapAndInspectShowsIt() throws Exception {
    Path reference = dir.resolve("reference");
    assertEquals(0, Runs.run("--steps", "120", "--run-dir", reference.toString()).exitCode());
    Path run = dir.resolve("run");
    assertEquals(0, Runs.run("--steps", "70", "--checkpoint-every", "30", "--run-dir",
        run.toString()).exitCode());
    // Keep steps 0..19 only: steps 20..69 were logged and are gone.
    List<String> lines = Files.readAllLines(run.resolve("steps.jsonl"));
    Files.write(run.resolve("steps.jsonl"), lines.subList(0, 20));

    Runs.Result resumed = Runs.run("--resume", run.toString(), "--steps", "120");
    assertEquals(0, resumed.exitCode(), resumed.err());
    assertTrue(resumed.err().contains("lost logged steps 20..69 (cut or deleted)"),
        resumed.err());
    JsonNode gaps = Runs.summary(run).get("log_gaps");
    assertEquals(1, gaps.size(), gaps.toString());
    assertEquals(19, gaps.get(0).get("after_step").asLong());
    assertEquals(69, gaps.get(0).get("through_step").asLong());

    Runs.Result inspect = Runs.run("inspect", run.toString());
    assertEquals(0, inspect.exitCode(), inspect.err());
    assertTrue(inspect.out().contains("log gap:        logged steps after 19 through 69 are "
        + "missing"), inspect.out());
    Runs.Result compare = Runs.run("inspect", reference.toString(), run.toString());
    assertEquals(1, compare.exitCode(), compare.out());
    assertTrue(compare.out().startsWith("not comparable: "), compare.out());
    assertFalse(compare.out().contains("identical"), compare.out());
  }

  @Test
  void aResumeOfADeletedLogContinuesAndRecordsTheGapFromTheStart() throws Exception {
    Path run = dir.resolve("run");
    assertEquals(0, Runs.run("--steps", "40", "--checkpoint-every", "20", "--run-dir",
        run.toString()).exitCode());
    Files.delete(run.resolve("steps.jsonl"));
    Runs.Result resumed = Runs.run("--resume", run.toString(), "--steps", "60");
    assertEquals(0, resumed.exitCode(), resumed.err());
    assertTrue(resumed.err().contains("lost logged steps up to 39"), resumed.err());
    JsonNode gap = Runs.summary(run).get("log_gaps").get(0);
    assertEquals(-1, gap.get("after_step").asLong());
    assertEquals(39, gap.get("through_step").asLong());
    Runs.Result inspect = Runs.run("inspect", run.toString());
    assertTrue(inspect.out().contains("logged steps from the start through 39 are missing"),
        inspect.out());
  }

  @Test
  void aCompleteLogHasNoGapsEvenWithSparseLogging() throws Exception {
    Path run = dir.resolve("run");
    assertEquals(0, Runs.run("--steps", "95", "--log-every", "7", "--checkpoint-every", "30",
        "--run-dir", run.toString()).exitCode());
    Runs.Result resumed = Runs.run("--resume", run.toString(), "--steps", "130",
        "--log-every", "3");
    assertEquals(0, resumed.exitCode(), resumed.err());
    assertFalse(resumed.err().contains("lost"), resumed.err());
    assertEquals(0, Runs.summary(run).get("log_gaps").size());
    Runs.Result inspect = Runs.run("inspect", run.toString());
    assertFalse(inspect.out().contains("log gap"), inspect.out());
  }
}
