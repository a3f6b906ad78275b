package dev.tapetrain.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tapetrain.coordinator.RunSummary.Status;
import dev.tapetrain.protocol.NamedTensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * The step log beside the coordinator: every call reaches the listener in the order made, on
 * one thread that is not the caller's; a checkpoint or the end waits for everything before it;
 * a step record that fails is reported once, by the next call.
 */
class BackgroundListenerTest {

  private static final List<NamedTensor> PARAMS = List.of(NamedTensor.scalar("w", 1));

  private static StepRecord step(long i) {
    return new StepRecord(i, 1.0, PARAMS, PARAMS, 0.01, 1000, List.of(), 0, List.of(), i);
  }

  /** Records each call's name and thread; steps sleep a little so the queue fills. */
  private static final class Recorder implements TrainingListener {
    final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    volatile long failAt = -1;

    @Override
    public void onInitialLoss(double loss) {
      note("initial");
    }

    @Override
    public void onStep(StepRecord r) {
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (r.step() == failAt) {
        throw new UncheckedIOException(new IOException("disk full at " + r.step()));
      }
      note("step " + r.step());
    }

    @Override
    public void onCheckpoint(TrainingState state) {
      note("checkpoint " + state.steps());
    }

    @Override
    public void onFinish(RunSummary summary) {
      note("finish");
    }

    private void note(String call) {
      calls.add(call);
      threads.add(Thread.currentThread());
    }
  }

  private static TrainingState state(long steps) {
    return new TrainingState(steps, PARAMS, List.of(), 0, 1, 1);
  }

  @Test
  void callsArriveInOrderOnOneOtherThreadAndTheEndWaitsForThem() {
    Recorder target = new Recorder();
    List<String> expected = new ArrayList<>(List.of("initial"));
    try (BackgroundListener log = new BackgroundListener(target)) {
      log.onInitialLoss(1);
      for (long i = 0; i < 50; i++) {
        log.onStep(step(i));
        expected.add("step " + i);
        if (i == 19) {
          log.onCheckpoint(state(20));
          expected.add("checkpoint 20");
          assertEquals(expected, List.copyOf(target.calls),
              "a checkpoint is written after the lines of the steps it commits");
        }
      }
      log.onFinish(new RunSummary(Status.COMPLETED, 50, 50, 1, 1, PARAMS, 1, 0, ""));
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
    try (BackgroundListener log = new BackgroundListener(target)) {
      UncheckedIOException reported = null;
      for (long i = 0; i < 5 && reported == null; i++) {
        try {
          log.onStep(step(i)); // may already report the failure of step 3
        } catch (UncheckedIOException e) {
          reported = e;
        }
      }
      if (reported == null) {
        reported = assertThrows(UncheckedIOException.class, () -> log.onCheckpoint(state(5)));
      }
      assertEquals("java.io.IOException: disk full at 3", reported.getMessage());
      // Reported once, and the call that reported it did not run; the end of the run does.
      log.onFinish(new RunSummary(Status.FAILED, 3, 5, 1, 1, PARAMS, 1, 0, ""));
      assertEquals(List.of("step 0", "step 1", "step 2", "finish"), List.copyOf(target.calls),
          "no step after the hole, no checkpoint past it");
    }
  }

  @Test
  void aCheckpointThatFailsThrowsToTheCaller() {
    UncheckedIOException full = new UncheckedIOException(new IOException("no space"));
    TrainingListener failing = new TrainingListener() {
      @Override
      public void onCheckpoint(TrainingState state) {
        throw full;
      }
    };
    try (BackgroundListener log = new BackgroundListener(failing)) {
      assertSame(full, assertThrows(UncheckedIOException.class, () -> log.onCheckpoint(state(1))));
    }
  }

  @Test
  void queuedStepsAreWrittenWithoutAnyLaterCall() throws InterruptedException {
    // Queueing does not signal the thread; it must find the records by itself.
    Recorder target = new Recorder();
    try (BackgroundListener log = new BackgroundListener(target)) {
      Thread.sleep(300); // long enough for its naps to reach their longest
      for (long i = 0; i < 3; i++) {
        log.onStep(step(i));
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
    TrainingListener slow = new TrainingListener() {
      @Override
      public void onStep(StepRecord r) {
        try {
          release.await(); // the first record holds the thread until the queue is full
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        written.add(r.step());
      }
    };
    int records = BackgroundListener.CAPACITY + 50;
    try (BackgroundListener log = new BackgroundListener(slow)) {
      Thread producer = new Thread(() -> {
        for (long i = 0; i < records; i++) {
          log.onStep(step(i));
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
      log.onFinish(new RunSummary(Status.COMPLETED, records, records, 1, 1, PARAMS, 1, 0, ""));
    }
    assertEquals(records, written.size());
    for (int i = 0; i < records; i++) {
      assertEquals(i, written.get(i), "in order");
    }
  }

  @Test
  void afterCloseStepsAreDroppedAndTheEndRunsOnTheCaller() {
    Recorder target = new Recorder();
    BackgroundListener log = new BackgroundListener(target);
    log.onStep(step(0));
    log.close();
    log.onStep(step(1));
    log.onFinish(new RunSummary(Status.FAILED, 1, 2, 1, 1, PARAMS, 1, 0, "given up"));
    log.close();
    assertEquals(List.of("step 0", "finish"), List.copyOf(target.calls));
    assertEquals(2, target.threads.size(), "the end ran on the caller's thread");
  }
}
