package dev.tapetrain.worker.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/**
 * The worker's evaluation threads: every task once, a lane never on two threads at a time, the
 * first failure by index, and no thread left once closed.
 */
class EvaluationThreadsTest {

  @Test
  void everyTaskRunsOnceAndNoLaneRunsTwoTasksAtOnce() {
    try (EvaluationThreads threads = new EvaluationThreads(3, "t")) {
      for (int round = 0; round < 20; round++) {
        AtomicIntegerArray runs = new AtomicIntegerArray(200);
        AtomicIntegerArray busy = new AtomicIntegerArray(threads.count());
        Set<String> names = ConcurrentHashMap.newKeySet();
        threads.run(200, (t, lane) -> {
          assertEquals(1, busy.incrementAndGet(lane), "lane " + lane + " is in use");
          runs.incrementAndGet(t);
          names.add(Thread.currentThread().getName());
          Thread.onSpinWait();
          busy.decrementAndGet(lane);
        });
        for (int t = 0; t < 200; t++) {
          assertEquals(1, runs.get(t), "task " + t);
        }
        assertFalse(names.contains(Thread.currentThread().getName()),
            "the pool's threads, not the caller's: " + names);
      }
    }
  }

  @Test
  void theFirstFailureByIndexIsThrownAfterEveryTaskBeforeItRan() {
    RuntimeException first = new IllegalStateException("task 37");
    try (EvaluationThreads threads = new EvaluationThreads(2, "t")) {
      for (int round = 0; round < 20; round++) {
        AtomicIntegerArray runs = new AtomicIntegerArray(100);
        RuntimeException thrown = assertThrows(RuntimeException.class, () ->
            threads.run(100, (t, lane) -> {
              runs.incrementAndGet(t);
              if (t == 37) {
                throw first;
              }
              if (t == 38 || t == 80) {
                throw new IllegalStateException("task " + t);
              }
            }));
        assertSame(first, thrown);
        for (int t = 0; t <= 37; t++) {
          assertEquals(1, runs.get(t), "task " + t + " before the failure ran");
        }
      }
      // The pool serves the next round after a failed one.
      AtomicIntegerArray runs = new AtomicIntegerArray(10);
      threads.run(10, (t, lane) -> runs.incrementAndGet(t));
      for (int t = 0; t < 10; t++) {
        assertEquals(1, runs.get(t));
      }
    }
  }

  @Test
  void oneThreadRunsOnTheCallerAndClosingStopsThePool() throws InterruptedException {
    Thread[] ran = new Thread[1];
    EvaluationThreads.ONE.run(1, (t, lane) -> ran[0] = Thread.currentThread());
    assertSame(Thread.currentThread(), ran[0]);

    EvaluationThreads threads = new EvaluationThreads(2, "closing");
    Thread[] pool = new Thread[2];
    threads.run(2, (t, lane) -> pool[t] = Thread.currentThread());
    threads.close();
    for (Thread t : pool) {
      t.join(60_000);
      assertFalse(t.isAlive(), t.getName() + " still runs after close");
    }
  }

  @Test
  void badThreadCountsAreRefused() {
    for (int n : new int[] {0, -1, EvaluationThreads.MAX + 1}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> new EvaluationThreads(n, "t"));
      assertTrue(e.getMessage().startsWith("--worker-threads must be between 1 and 256"),
          e.getMessage());
    }
  }
}
