package dev.tapetrain.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.tapetrain.coordinator.RunSummary.Status;
import dev.tapetrain.protocol.NamedTensor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * The step log beside the coordinator: every call reaches the store (and the listener) in the
 * order made, on one thread that is not the caller's; a checkpoint or the end waits for
 * everything before it; a step that fails is reported once, by the next call to the store.
 */
class BackgroundListenerTest {

  private static final List<NamedTensor> PARAMS = List.of(NamedTensor.scalar("w", 1));

  private static StepRecord step(long i) {
    return new StepRecord(i, 1.0, PARAMS, PARAMS, 0.01, 1000, List.of(), 0, List.of(), i);
  }

  /** Records each call's name and thread; steps sleep a little so the queue fills. */
  private static class Recorder implements RunStore {
    final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    volatile long failAt = -1;

    @Override
    public Result record(TrainingEvent event) {
      if (event instanceof TrainingEvent.InitialLoss) {
        note("initial");
      } else if (event instanceof TrainingEvent.Step s) {
        StepRecord r = s.record();
        try {
          Thread.sleep(1);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        if (r.step() == failAt) {
          return new Failed(new IOException("disk full at " + r.step()).toString());
        }
        note("step " + r.step());
      }
      return OK;
    }

    @Override
    public Result checkpoint(TrainingState state) {
      note("checkpoint " + state.steps());
      return OK;
    }

    @Override
    public Result finish(RunSummary summary) {
      note("finish");
      return OK;
    }

    private void note(String call) {
      calls.add(call);
      threads.add(Thread.currentThread());
    }
  }

  private static TrainingState state(long steps) {
    return new TrainingState(steps, PARAMS, List.of(), 0, 1, 1);
  }

  private static BackgroundListener log(RunStore store) {
    return new BackgroundListener(event -> { }, store);
  }

  private static TrainingEvent.Step stepEvent(long i) {
    return new TrainingEvent.Step(step(i));
  }

  @Test
  void callsArriveInOrderOnOneOtherThreadAndTheEndWaitsForThem() {
    Recorder target = new Recorder();
    List<String> expected = new ArrayList<>(List.of("initial"));
    try (BackgroundListener log = log(target)) {
      log.record(new TrainingEvent.InitialLoss(1));
      for (long i = 0; i < 50; i++) {
        log.record(stepEvent(i));
        expected.add("step " + i);
        if (i == 19) {
          log.checkpoint(state(20));
          expected.add("checkpoint 20");
          assertEquals(expected, List.copyOf(target.calls),
              "a checkpoint is written after the lines of the steps it commits");
        }
      }
      log.finish(new RunSummary(Status.COMPLETED, 50, 50, 1, 1, PARAMS, 1, 0, ""));
      expected.add("finish");
      assertEquals(expected, List.copyOf(target.calls), "the end waits for every step");
    }
    assertEquals(1, target.threads.size());
    assertNotEquals(Thread.currentThread(), target.threads.iterator().next());
  }

  @Test
  void aStepThatFailsIsReportedOnceByTheNextCallAndTheLogStopsThere() {
    Recorder target = new Recorder();
    target.failAt = 3;
    try (BackgroundListener log = log(target)) {
      RunStore.Result reported = RunStore.OK;
      for (long i = 0; i < 5 && reported == RunStore.OK; i++) {
        reported = log.record(stepEvent(i)); // may already report the failure of step 3
      }
      if (reported == RunStore.OK) {
        reported = log.checkpoint(state(5));
      }
      assertEquals("java.io.IOException: disk full at 3",
          assertInstanceOf(RunStore.Failed.class, reported).message());
      // Reported once, and the call that reported it did not run; the end of the run does.
      assertEquals(RunStore.OK,
          log.finish(new RunSummary(Status.FAILED, 3, 5, 1, 1, PARAMS, 1, 0, "")));
      assertEquals(List.of("step 0", "step 1", "step 2", "finish"), List.copyOf(target.calls),
          "no step after the hole, no checkpoint past it");
    }
  }

  @Test
  void aCheckpointThatFailsReturnsItsFailureToTheCaller() {
    RunStore.Failed full = new RunStore.Failed("no space");
    RunStore failing = new Recorder() {
      @Override
      public Result checkpoint(TrainingState state) {
        return full;
      }
    };
    try (BackgroundListener log = log(failing)) {
      assertSame(full, log.checkpoint(state(1)));
    }
  }

  @Test
  void aPeriodicCheckpointIsQueuedAfterItsStepsAndItsFailureReportedByTheNextCall()
      throws Exception {
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    RunStore.Failed full = new RunStore.Failed("no space");
    Recorder target = new Recorder() {
      @Override
      public Result checkpoint(TrainingState state) {
        try {
          release.await(); // a slow disk: the coordinator must not wait for it
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        super.checkpoint(state);
        return state.steps() == 4 ? full : OK;
      }
    };
    BackgroundListener log = log(target);
    try {
      for (long i = 0; i < 2; i++) {
        log.record(stepEvent(i));
      }
      // Without the queue this call would wait for the latch for ever: fail instead of hanging.
      assertSame(RunStore.OK, org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
          java.time.Duration.ofSeconds(60), () -> log.checkpointLater(state(2))),
          "returns before the write");
      log.record(stepEvent(2));
      log.record(stepEvent(3));
      assertSame(RunStore.OK, log.checkpointLater(state(4)));
      release.countDown();
      assertSame(full, log.record(new TrainingEvent.InitialLoss(1)), "reported by the next call");
      assertEquals(List.of("step 0", "step 1", "checkpoint 2", "step 2", "step 3",
          "checkpoint 4"), List.copyOf(target.calls), "in order, each after its steps");
    } finally {
      release.countDown(); // else close() would wait for the held write
      log.close();
    }
  }

  @Test
  void noCheckpointIsWrittenPastAFailedPeriodicOneEvenOnceTheDiskHasRoomAgain() {
    // A periodic checkpoint fails (a full disk); the coordinator learns it steps later; its
    // final checkpoint must not commit those steps, whose lines were dropped (FailureEndsTest
    // saw a resume continue from step 46 of a log that ended at 29).
    RunStore.Failed full = new RunStore.Failed("no space");
    Recorder target = new Recorder() {
      @Override
      public Result checkpoint(TrainingState state) {
        super.checkpoint(state);
        return state.steps() == 2 ? full : OK;
      }
    };
    try (BackgroundListener log = log(target)) {
      log.record(stepEvent(0));
      log.record(stepEvent(1));
      assertSame(RunStore.OK, log.checkpointLater(state(2)));
      RunStore.Result reported = RunStore.OK;
      for (long i = 2; i < 6 && reported == RunStore.OK; i++) {
        reported = log.record(stepEvent(i)); // the failure may come back at any of these
      }
      RunStore.Result last = log.checkpoint(state(6));
      assertInstanceOf(RunStore.Failed.class, reported == RunStore.OK ? last : reported);
      assertInstanceOf(RunStore.Failed.class, log.checkpoint(state(6)), "and again later");
      assertEquals(List.of("step 0", "step 1", "checkpoint 2"), List.copyOf(target.calls),
          "no line and no checkpoint after the hole");
    }
  }

  @Test
  void queuedStepsAreWrittenWithoutAnyLaterCall() throws InterruptedException {
    // Queueing does not signal the thread; it must find the records by itself.
    Recorder target = new Recorder();
    try (BackgroundListener log = log(target)) {
      Thread.sleep(300); // long enough for its naps to reach their longest
      for (long i = 0; i < 3; i++) {
        log.record(stepEvent(i));
      }
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (target.calls.size() < 3 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertEquals(List.of("step 0", "step 1", "step 2"), List.copyOf(target.calls));
    }
  }

  @Test
  void aFullQueueMakesTheCoordinatorWaitAndLosesNothing() throws Exception {
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    List<Long> written = Collections.synchronizedList(new ArrayList<>());
    RunStore slow = new Recorder() {
      @Override
      public Result record(TrainingEvent event) {
        try {
          release.await(); // the first record holds the thread until the queue is full
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        written.add(((TrainingEvent.Step) event).record().step());
        return OK;
      }
    };
    int records = BackgroundListener.CAPACITY + 50;
    try (BackgroundListener log = log(slow)) {
      Thread producer = new Thread(() -> {
        for (long i = 0; i < records; i++) {
          log.record(stepEvent(i));
        }
      });
      producer.start();
      try {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (producer.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
          Thread.sleep(5);
        }
        assertEquals(Thread.State.WAITING, producer.getState(), "blocked on the full queue");
      } finally {
        release.countDown(); // also when the assertion fails: close() waits for the thread
      }
      producer.join(10_000);
      log.finish(new RunSummary(Status.COMPLETED, records, records, 1, 1, PARAMS, 1, 0, ""));
    }
    assertEquals(records, written.size());
    for (int i = 0; i < records; i++) {
      assertEquals(i, written.get(i), "in order");
    }
  }

  @Test
  void afterCloseStepsAreDroppedAndTheEndRunsOnTheCaller() {
    Recorder target = new Recorder();
    BackgroundListener log = log(target);
    log.record(stepEvent(0));
    log.close();
    log.record(stepEvent(1));
    log.finish(new RunSummary(Status.FAILED, 1, 2, 1, 1, PARAMS, 1, 0, "given up"));
    log.close();
    assertEquals(List.of("step 0", "finish"), List.copyOf(target.calls));
    assertEquals(2, target.threads.size(), "the end ran on the caller's thread");
  }

  /**
   * The listener's events share the store's thread and order: steps are queued, any other event
   * waits for what is before it; after a step fails in the store, the listener gets no more
   * steps either (the console does not print past the hole in the log).
   */
  @Test
  void theListenersStepsAreQueuedWithTheStoresAndStopAtTheSameHole() {
    Recorder store = new Recorder();
    store.failAt = 2;
    List<String> heard = Collections.synchronizedList(new ArrayList<>());
    Set<Thread> threads = ConcurrentHashMap.newKeySet();
    TrainingListener console = event -> {
      threads.add(Thread.currentThread());
      if (event instanceof TrainingEvent.Step s) {
        heard.add("step " + s.record().step());
      } else if (event instanceof TrainingEvent.NoWorkerLeft) {
        heard.add("no worker");
      }
    };
    try (BackgroundListener log = new BackgroundListener(console, store)) {
      for (long i = 0; i < 4; i++) {
        log.on(stepEvent(i));
        log.record(stepEvent(i));
      }
      log.on(new TrainingEvent.NoWorkerLeft(4, "w1 terminated", java.time.Duration.ZERO));
      assertEquals(List.of("step 0", "step 1", "step 2", "no worker"), List.copyOf(heard),
          "the step the store failed on is the last one heard; other events still arrive");
      assertEquals("java.io.IOException: disk full at 2",
          assertInstanceOf(RunStore.Failed.class, log.checkpoint(state(4))).message());
    }
    assertEquals(1, threads.size());
    assertNotEquals(Thread.currentThread(), threads.iterator().next());
  }
}
