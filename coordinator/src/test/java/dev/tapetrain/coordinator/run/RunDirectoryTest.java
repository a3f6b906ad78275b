package dev.tapetrain.coordinator.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapetrain.coordinator.RunStore;
import dev.tapetrain.coordinator.RunSummary;
import dev.tapetrain.coordinator.StepRecord;
import dev.tapetrain.coordinator.TrainingEvent;
import dev.tapetrain.coordinator.TrainingState;
import dev.tapetrain.protocol.ModelSpec;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.NamedTensor;
import dev.tapetrain.coordinator.spec.OptimizerSpec;
import dev.tapetrain.coordinator.spec.RunSpec;
import dev.tapetrain.coordinator.spec.StepPolicy;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * steps.jsonl is flushed in batches (FlushCadence), so what must reach the file does so at the
 * points recovery relies on; summary.json of a run going on says what inspect shows of it; a
 * run's last step is logged however it ended, and its summary names a resume command that
 * works.
 */
class RunDirectoryTest {

  private static final List<NamedTensor> PARAMS =
      List.of(NamedTensor.scalar("w", 3.0), NamedTensor.scalar("b", 2.0));

  private static RunSpec spec(long steps) {
    return spec(steps, 1);
  }

  private static RunSpec spec(long steps, int logEvery) {
    DatasetSpec data = new DatasetSpec(
        DatasetSpec.Source.synthetic(1000, List.of(3.0), 2.0, 1.0, 42), 64);
    return new RunSpec(1, steps, 0.01, OptimizerSpec.sgd(), data,
        StepPolicy.fullBatch(), logEvery, Duration.ofSeconds(10), Duration.ofSeconds(10), 1000,
        RunSpec.DEFAULT_REJOIN_TIMEOUT, ModelSpec.linear(42));
  }

  private static StepRecord step(long i) {
    return new StepRecord(i, 10.0 - i, PARAMS, PARAMS, 0.01, 1000, List.of(), 0, List.of(), i);
  }

  @Test
  void everyStepBeforeACheckpointIsInTheFileWhenTheCheckpointIsWritten(@TempDir Path tmp)
      throws Exception {
    RunDirectory run = RunDirectory.create(tmp.resolve("run"), spec(100), "test");
    for (int i = 0; i < 10; i++) {
      assertEquals(RunStore.OK, run.record(new TrainingEvent.Step(step(i))));
    }
    assertEquals(RunStore.OK,
        run.checkpoint(new TrainingState(10, PARAMS, List.of(), 10, 68.0, 1.0)));
    List<String> lines = Files.readAllLines(tmp.resolve("run").resolve(RunDirectory.STEPS));
    assertEquals(10, lines.size(), "lines in steps.jsonl when the checkpoint of step 10 exists");
    assertEquals(9, Json.MAPPER.readTree(lines.get(9)).get("step").asLong());
  }

  @Test
  void theLastStepIsInTheFileAtOnce(@TempDir Path tmp) throws Exception {
    RunDirectory run = RunDirectory.create(tmp.resolve("run"), spec(3), "test");
    for (int i = 0; i < 3; i++) {
      assertEquals(RunStore.OK, run.record(new TrainingEvent.Step(step(i))));
    }
    assertEquals(3, Files.readAllLines(tmp.resolve("run").resolve(RunDirectory.STEPS)).size());
  }

  @Test
  void whileItRunsTheSummarySaysWhenItStartedAndTheInitialLossOnceKnown(@TempDir Path tmp)
      throws Exception {
    Path dir = tmp.resolve("run");
    RunDirectory run = RunDirectory.create(dir, spec(3), "test");
    JsonNode s = Json.MAPPER.readTree(dir.resolve(RunDirectory.SUMMARY).toFile());
    assertEquals("running", s.get("status").asText());
    java.time.Instant.parse(s.get("started_at").asText());
    assertFalse(s.has("initial_loss"), s.toString());
    assertEquals(RunStore.OK, run.record(new TrainingEvent.InitialLoss(68.5)));
    s = Json.MAPPER.readTree(dir.resolve(RunDirectory.SUMMARY).toFile());
    assertEquals("running", s.get("status").asText());
    assertEquals(68.5, s.get("initial_loss").asDouble(), 0.0);
    run.close();
    // A resumed run has it from its checkpoint at once: it computes no initial loss again.
    RunDirectory resumed = RunDirectory.resume(dir, spec(3), 0, 68.5, null,
        RunLock.acquire(dir, "--resume"), System.err);
    s = Json.MAPPER.readTree(dir.resolve(RunDirectory.SUMMARY).toFile());
    assertEquals(68.5, s.get("initial_loss").asDouble(), 0.0);
    assertTrue(s.has("started_at"), s.toString());
    resumed.close();
  }

  /** The steps of steps.jsonl and of the TensorBoard events that hold a loss, in order. */
  private static List<List<Long>> loggedSteps(Path run) throws Exception {
    List<Long> lines = new ArrayList<>();
    for (String l : Files.readAllLines(run.resolve(RunDirectory.STEPS))) {
      lines.add(Json.MAPPER.readTree(l).get("step").asLong());
    }
    List<Long> events = new ArrayList<>();
    try (FileChannel ch = FileChannel.open(EventFile.find(run))) {
      for (EventFile.Record r : EventFile.read(ch)) {
        if (r.event().getSummary().getValueList().stream()
            .anyMatch(v -> v.getTag().equals("loss"))) {
          events.add(r.event().getStep());
        }
      }
    }
    return List.of(lines, events);
  }

  /** Records steps 0..{@code steps}-1 of a run of 100 logged every 10, then ends as {@code s}. */
  private static Path endedAfter(Path tmp, long steps, RunSummary.Status s) {
    return endedAfter(tmp, steps, steps, s);
  }

  /** As {@link #endedAfter(Path, long, RunSummary.Status)}, recording {@code records} steps. */
  private static Path endedAfter(Path tmp, long records, long steps, RunSummary.Status s) {
    Path dir = tmp.resolve("run");
    RunDirectory run = RunDirectory.create(dir, spec(100, 10), "test");
    for (int i = 0; i < records; i++) {
      assertEquals(RunStore.OK, run.record(new TrainingEvent.Step(step(i))));
    }
    assertEquals(RunStore.OK, run.finish(new RunSummary(s, steps, 100, 68.0, 10.0 - steps + 1,
        PARAMS, 1, 1000, "")));
    run.close();
    return dir;
  }

  @Test
  void aRunThatStopsBeforeItsPlannedStepsLogsTheStepItEndedOn(@TempDir Path tmp)
      throws Exception {
    // --tolerance reached after 15 of 100 steps, logged every 10: step 14 ends both logs.
    assertEquals(List.of(List.of(0L, 10L, 14L), List.of(0L, 10L, 14L)),
        loggedSteps(endedAfter(tmp, 15, RunSummary.Status.CONVERGED)));
  }

  @Test
  void aDivergedRunLogsTheLastStepItKeptNotTheOneThatDiverged(@TempDir Path tmp)
      throws Exception {
    // The record of step 15 (its loss not finite) comes before the run learns it diverged; the
    // run keeps 15 steps, so step 14 ends both logs (they ended at 10: a new user's finding).
    assertEquals(List.of(List.of(0L, 10L, 14L), List.of(0L, 10L, 14L)),
        loggedSteps(endedAfter(tmp, 16, 15, RunSummary.Status.DIVERGED)));
  }

  @Test
  void aRunThatDivergesOnALoggedStepLogsTheStepItKeptBeforeIt(@TempDir Path tmp)
      throws Exception {
    // Step 20 is on --log-every's line and its loss is not finite: step 19, the last kept, is
    // logged before it (it ended the log at 20 without 19: a review helper's finding).
    Path dir = tmp.resolve("run");
    RunDirectory run = RunDirectory.create(dir, spec(100, 10), "test");
    for (int i = 0; i <= 20; i++) {
      StepRecord r = step(i);
      assertEquals(RunStore.OK, run.record(new TrainingEvent.Step(i < 20 ? r
          : new StepRecord(i, Double.POSITIVE_INFINITY, PARAMS, PARAMS, 0.01, 1000, List.of(),
              0, List.of(), i))));
    }
    assertEquals(RunStore.OK, run.finish(new RunSummary(RunSummary.Status.DIVERGED, 20, 100,
        68.0, -9.0, PARAMS, 1, 1000, "not finite")));
    run.close();
    assertEquals(List.of(List.of(0L, 10L, 19L, 20L), List.of(0L, 10L, 19L, 20L)),
        loggedSteps(dir));
  }

  @Test
  void anInterruptedRunLogsOnlyWhatAnUninterruptedOneWould(@TempDir Path tmp) throws Exception {
    // Its resume goes on from step 15: steps.jsonl must read as if it had never stopped.
    assertEquals(List.of(List.of(0L, 10L), List.of(0L, 10L)),
        loggedSteps(endedAfter(tmp, 15, RunSummary.Status.INTERRUPTED)));
  }

  @Test
  void theSummarysResumeCommandIsOneThatWorks(@TempDir Path tmp) throws Exception {
    // No checkpoint yet (stopped before its first): --resume has nothing to start from.
    Path dir = endedAfter(tmp.resolve("a"), 3, RunSummary.Status.INTERRUPTED);
    assertEquals("--resume-if-exists --run-dir " + dir,
        Json.MAPPER.readTree(dir.resolve(RunDirectory.SUMMARY).toFile()).get("resume").asText());

    Path with = tmp.resolve("b").resolve("run");
    RunDirectory run = RunDirectory.create(with, spec(100), "test");
    run.record(new TrainingEvent.Step(step(0)));
    assertEquals(RunStore.OK,
        run.checkpoint(new TrainingState(1, PARAMS, List.of(), 1, 68.0, 10.0)));
    run.finish(new RunSummary(RunSummary.Status.FAILED, 1, 100, 68.0, 10.0, PARAMS, 1, 1000,
        "no worker left"));
    run.close();
    assertEquals("--resume " + with,
        Json.MAPPER.readTree(with.resolve(RunDirectory.SUMMARY).toFile()).get("resume").asText());
  }

  /**
   * Stopped before its workers brought the model, a run has no parameters: it writes no
   * checkpoint (one of nothing could never be resumed), its summary names --resume-if-exists,
   * and a parameterless checkpoint an older build wrote counts as none.
   */
  @Test
  void aRunStoppedBeforeItHasParametersWritesNoCheckpoint(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("run");
    RunSpec spec = spec(100);
    RunDirectory run = RunDirectory.create(dir, spec, "test");
    TrainingState none = new TrainingState(0, List.of(), List.of(), 0, Double.NaN, Double.NaN);
    assertEquals(RunStore.OK, run.checkpoint(none));
    Path file = dir.resolve(Checkpoints.FILE);
    assertFalse(Files.exists(file));
    assertEquals(RunStore.OK, run.finish(new RunSummary(
        RunSummary.Status.INTERRUPTED, 0, 100, Double.NaN, Double.NaN, List.of(), 0, 0,
        "interrupted by a signal")));
    run.close();
    JsonNode summary = Json.MAPPER.readTree(dir.resolve(RunDirectory.SUMMARY).toFile());
    assertEquals("--resume-if-exists --run-dir " + dir, summary.path("resume").asText());

    Checkpoints.write(file, none, spec.numbers(), spec.dataset().digest(), -1);
    assertFalse(Checkpoints.holdsState(file));
    RunDirectoryException e = assertThrows(RunDirectoryException.class,
        () -> Checkpoints.read(file));
    assertTrue(e.getMessage().contains("no checkpoint (the run stopped before its first one"),
        e.getMessage());
    Checkpoints.write(file, new TrainingState(1, PARAMS, List.of(), 1, 68.0, 10.0),
        spec.numbers(), spec.dataset().digest(), 0);
    assertTrue(Checkpoints.holdsState(file));
  }
}
