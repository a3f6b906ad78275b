package dev.tapetrain.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.protocol.WorkerProtocol.Outcome;
import dev.tapetrain.protocol.WorkerProtocol.StopWork;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The worker process's side of how a run ends for it (issue 25, item 6): a worker that joins
 * while the run is ending is told the run is over and ends as a completed job (exit 0) with that
 * line; one refused earlier keeps its refusal; a failed run is a failure.
 */
class WorkerStopTest {

  @Test
  void aWorkerThatJoinedAsTheRunEndedCompletesWithTheLine() {
    WorkerMain.SystemEnd end = new WorkerMain.SystemEnd();
    WorkerMain.stopped(end, new StopWork(Outcome.OVER, "completed"));
    assertEquals(WorkerMain.Ending.COMPLETED, WorkerMain.ending(end, Optional.empty()));
    assertEquals("the run is over (completed); nothing for this worker to do", end.note);
    assertTrue(end.joined, "the coordinator reached it: no 'could not join' line");
  }

  @Test
  void aRefusedWorkerToldLaterThatTheRunIsOverStaysRefused() {
    WorkerMain.SystemEnd end = new WorkerMain.SystemEnd();
    WorkerMain.stopped(end, new StopWork(Outcome.REFUSED, "its data differ"));
    WorkerMain.stopped(end, new StopWork(Outcome.OVER, "completed"));
    assertEquals(WorkerMain.Ending.FAILED, WorkerMain.ending(end, Optional.empty()));
    assertEquals("stopped by the coordinator: refused by the coordinator: its data differ",
        end.why);
    assertNull(end.note);
  }

  @Test
  void aCompletedRunCompletesWithoutANoteAndAFailedOneFails() {
    WorkerMain.SystemEnd done = new WorkerMain.SystemEnd();
    WorkerMain.stopped(done, new StopWork(Outcome.COMPLETED, ""));
    assertEquals(WorkerMain.Ending.COMPLETED, WorkerMain.ending(done, Optional.empty()));
    assertNull(done.note);

    WorkerMain.SystemEnd failed = new WorkerMain.SystemEnd();
    WorkerMain.stopped(failed, new StopWork(Outcome.FAILED, "no worker left"));
    assertFalse(failed.completed);
    assertEquals(WorkerMain.Ending.FAILED, WorkerMain.ending(failed, Optional.empty()));
  }
}
