package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.coordinator.run.Checkpoints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A run of epochs killed in the middle of an epoch resumes to the bits of the run that was never
 * killed, every step logged once (issue 26, item 4): the plan follows from the checkpoint's
 * update count alone, so the resumed run draws the same batches.
 */
class EpochsResumeTest extends ProcessTestBase {

  /**
   * 180 updates of 1000 samples each (two epochs of the 90 000 training samples; 10 000 held
   * out and evaluated after each epoch), about 20 ms each here: long enough for a kill to land
   * mid-run. A checkpoint every 7 updates: never at an epoch's end. With --restore-best and a
   * --min-delta nothing can beat, the first epoch stays the best: a run killed in the second
   * must find its parameters in the checkpoint to end with them.
   */
  private static final String[] JOB = {"--examples", "100000", "--batch-size", "1000",
      "--epochs", "2", "--validation-split", "0.1", "--restore-best", "--min-delta", "1e9",
      "--checkpoint-every", "7", "--log-every", "10", "--workers", "2"};

  /** The run's TensorBoard events that carry val/loss: step and value. */
  private static List<String> valEvents(Path run) throws Exception {
    return TfEvents.read(TfEvents.file(run)).stream()
        .filter(e -> e.scalars().containsKey("val/loss"))
        .map(e -> e.step() + " " + e.scalars().get("val/loss")).toList();
  }

  @Test
  void aRunKilledMidEpochResumesToTheBitsOfOneUninterruptedRun() throws Exception {
    Path reference = dir.resolve("reference");
    Runs.Result whole = Runs.run(concat(JOB, "--run-dir", reference.toString()));
    assertEquals(0, whole.exitCode(), whole.err());
    Path run = dir.resolve("killed");
    Process p = processes.localRunner("killed", concat(JOB, "--run-dir", run.toString()));
    Processes.await("a checkpoint", Duration.ofSeconds(60),
        () -> Files.exists(run.resolve(Checkpoints.FILE)));
    Processes.kill9(p);
    assertEquals("running", Runs.summary(run).get("status").asText(),
        "killed before the end (else this test proves nothing)");
    long at = Checkpoints.read(run.resolve(Checkpoints.FILE)).state().steps();
    assertTrue(at % 90 != 0, "the checkpoint is mid-epoch: after update " + at);
    Runs.Result resumed = Runs.run("--resume", run.toString(), "--workers", "3");
    assertEquals(0, resumed.exitCode(), resumed.err());
    List<Runs.Step> steps = Runs.steps(run);
    Set<Long> seen = new HashSet<>();
    for (Runs.Step s : steps) {
      assertTrue(seen.add(s.step()), "step " + s.step() + " logged twice");
    }
    assertEquals(Runs.steps(reference), steps, "bit for bit");
    assertEquals(Runs.summary(reference).get("params"), Runs.summary(run).get("params"));
    List<String> lines = Files.readAllLines(reference.resolve("steps.jsonl"));
    assertTrue(!dev.tapetrain.coordinator.run.Json.MAPPER.readTree(lines.get(lines.size() - 1))
        .get("params").equals(Runs.summary(reference).get("params")),
        "the final parameters are the first epoch's, not the last step's");
    assertEquals(Runs.summary(reference).get("loss"), Runs.summary(run).get("loss"));
    assertEquals(Runs.summary(reference).get("val_loss"), Runs.summary(run).get("val_loss"));
    assertEquals(valEvents(reference), valEvents(run), "TensorBoard: each epoch once");
    // The epoch in progress at the kill summed its steps before and after it alike.
    assertEquals(Files.readAllLines(reference.resolve("epochs.jsonl")),
        Files.readAllLines(run.resolve("epochs.jsonl")), "each epoch once, the same numbers");
  }
}
