package dev.tapetrain.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tapetrain.coordinator.RunSummary.Status;
import dev.tapetrain.coordinator.spec.OptimizerSpec;
import dev.tapetrain.coordinator.spec.RunSpec;
import dev.tapetrain.coordinator.spec.StepPolicy;
import dev.tapetrain.protocol.ModelSpec;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.NamedTensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What the coordinator tells and keeps, without an actor: a failed write fails the run. */
class RunRecordTest {

  private static final RunSpec SPEC = new RunSpec(1, 3, 0.1,
      OptimizerSpec.sgd(), new DatasetSpec(DatasetSpec.Source.synthetic(1000, List.of(3.0), 2.0,
      1.0, 42), 64), StepPolicy.fullBatch(), 1, Duration.ofSeconds(1), Duration.ofSeconds(1),
      100, RunSpec.DEFAULT_REJOIN_TIMEOUT, ModelSpec.linear(42));
  private static final List<NamedTensor> START =
      List.of(NamedTensor.scalar("w", 5), NamedTensor.scalar("b", 10));

  /** A store whose writes fail as told. */
  private static final class Store implements RunStore {
    String failRecord;
    String failCheckpoint;
    String failSummary;
    final List<RunSummary> summaries = new ArrayList<>();

    @Override
    public Result record(TrainingEvent event) {
      return failRecord == null ? OK : new Failed(failRecord);
    }

    @Override
    public Result checkpoint(TrainingState state) {
      return failCheckpoint == null ? OK : new Failed(failCheckpoint);
    }

    @Override
    public Result finish(RunSummary summary) {
      summaries.add(summary);
      return failSummary == null ? OK : new Failed(failSummary);
    }
  }

  private final Store store = new Store();
  private final List<TrainingEvent> told = new ArrayList<>();
  private final RunRecord record =
      new RunRecord(told::add, store, new StepMath(SPEC, null, START), SPEC.steps());

  @Test
  void everyEventReachesTheListenerAndAFailedRecordIsTheFailureToEndWith() {
    assertEquals(Optional.empty(), record.tell(new TrainingEvent.InitialLoss(1)));
    store.failRecord = "cannot write steps.jsonl: No space left on device";
    assertEquals(Optional.of(Stop.failed("cannot write steps.jsonl: No space left on device")),
        record.tell(new TrainingEvent.InitialLoss(2)));
    assertEquals(2, told.size());
  }

  @Test
  void aCheckpointThatCannotBeWrittenAtTheEndFailsACompletedRun() {
    store.failCheckpoint = "cannot write checkpoint.pb: No space left on device";
    RunSummary summary = record.finish(Stop.completed(), 2);
    assertEquals(Status.FAILED, summary.status());
    assertEquals("cannot write checkpoint.pb: No space left on device", summary.message());
    assertEquals(List.of(summary), store.summaries, "the summary says so");
    assertEquals(List.of(new TrainingEvent.Finished(summary)), told);
  }

  @Test
  void aSummaryThatCannotBeWrittenFailsTheRunAsTold() {
    store.failSummary = "cannot write summary.json: read-only file system";
    RunSummary summary = record.finish(Stop.completed(), 1);
    assertEquals(Status.FAILED, summary.status());
    assertEquals(List.of(new TrainingEvent.Finished(summary)), told);
    assertEquals(Status.COMPLETED, store.summaries.get(0).status(), "what it tried to write");
  }

  @Test
  void aRunThatFailedAlreadyKeepsItsOwnReason() {
    store.failCheckpoint = "cannot write checkpoint.pb: No space left on device";
    RunSummary summary = record.finish(Stop.failed("no worker left: w1 terminated"), 0);
    assertEquals("no worker left: w1 terminated", summary.message());
    assertEquals(0, summary.trainNanos(), "training never started");
    assertEquals(SPEC.steps(), summary.plannedSteps());
  }
}
