package dev.tapetrain.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tapetrain.coordinator.RunSummary.Status;
import dev.tapetrain.protocol.CoordinatorProtocol.ModelFailed;
import dev.tapetrain.protocol.WorkerProtocol.Outcome;
import dev.tapetrain.protocol.WorkerProtocol.StopWork;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * How a run ends for its workers (issue 25): a model's own failure ends it once, every worker
 * told the same reason, none asked again; a worker that registers as the run ends is told the
 * run is over instead of waiting for work that never comes.
 */
class CoordinatorEndingTest extends CoordinatorHarness {

  private static final String ERROR = "lossSum threw java.lang.IllegalStateException: no loss";

  @Test
  void aModelFailureEndsTheRunOnceAndEveryWorkerIsToldWhy() throws Exception {
    FakeWorker a = new FakeWorker();
    FakeWorker b = new FakeWorker();
    coordinator(2, 5, Duration.ofSeconds(30));
    a.acceptShard();
    b.acceptShard();
    a.answer(a.expectStep(0));
    b.answer(b.expectStep(0));
    a.expectStep(1);
    b.expectStep(1);
    b.coordinator.tell(new ModelFailed(1, b.ref, ERROR));
    a.coordinator.tell(new ModelFailed(1, a.ref, ERROR)); // every worker fails alike: once
    String message = "model linear failed in step 0: " + ERROR;
    RunSummary summary = next(RunSummary.class);
    assertEquals(Status.FAILED, summary.status());
    assertEquals(message, summary.message());
    for (FakeWorker w : new FakeWorker[] {a, b}) {
      // Told why, and never asked for the round again: no chunk moves for a model's error.
      w.probe.expectMessage(Duration.ofSeconds(5), new StopWork(Outcome.FAILED, message));
      w.probe.expectNoMessage(Duration.ofMillis(200));
    }
    assertEquals(null, events.poll(200, TimeUnit.MILLISECONDS), "one end only");
  }

  @Test
  void aWorkerThatRegistersAsTheRunEndsIsToldTheRunIsOver() throws Exception {
    FakeWorker a = new FakeWorker();
    coordinator(1, 1, Duration.ofSeconds(30));
    a.acceptShard();
    a.answer(a.expectStep(0));
    a.answer(a.expectStep(1));
    next(StepRecord.class);
    assertEquals(Status.COMPLETED, next(RunSummary.class).status());
    // The stand-in never stops, so the coordinator is still waiting for it when b registers.
    a.probe.expectMessage(Duration.ofSeconds(5), new StopWork(Outcome.COMPLETED, ""));
    FakeWorker late = new FakeWorker();
    StopWork told = late.probe.expectMessageClass(StopWork.class, Duration.ofSeconds(5));
    assertEquals(new StopWork(Outcome.OVER, "completed"), told);
    assertEquals("the run is over (completed); nothing for this worker to do", told.reason());
    late.probe.expectNoMessage(Duration.ofMillis(200));
  }
}
