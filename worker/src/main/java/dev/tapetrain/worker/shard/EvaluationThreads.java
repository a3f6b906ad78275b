package dev.tapetrain.worker.shard;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads one worker evaluates a round's blocks of chunks on ({@code --worker-threads}): a
 * pool of its own, never the actor system's dispatcher, which the worker closes when it stops.
 * What runs in parallel are independent tasks (a block, a chunk), each computed exactly as on
 * one thread into a place of its own; the caller then combines them in the one fixed order
 * (chunk order, then the chunk tree), so the bits never depend on the number of threads.
 *
 * <p>A task runs on a <em>lane</em>, {@code 0 ≤ lane < }{@link #count()}: one lane is one thread
 * for the whole of a {@link #run}, so scratch kept per lane (a block copied from the column
 * cache) is never shared between threads. The thread that calls {@link #run} waits for the
 * lanes, as it waited for its own evaluation with one thread; it must be a single thread (the
 * worker actor's) at a time.
 *
 * <p>With one thread there is no pool: tasks run on the caller, lane 0, as before the option.
 */
public final class EvaluationThreads implements AutoCloseable {

  /** More threads than this are refused: a worker has no use for them. */
  public static final int MAX = 256;

  /** One thread, the caller's: no pool. */
  public static final EvaluationThreads ONE = new EvaluationThreads(1, "unused");

  /** One task of a {@link #run}. */
  @FunctionalInterface
  interface Task {
    /** Runs task {@code task} on lane {@code lane}. */
    void run(int task, int lane);
  }

  private static final Logger LOG = LoggerFactory.getLogger(EvaluationThreads.class);
  private static final AtomicInteger POOLS = new AtomicInteger();

  private final int threads;
  private final ExecutorService pool;
  // What the lanes of the current run share; written by the caller before it hands them out.
  private final Lane[] lanes;
  private volatile Task task;
  private volatile int tasks;
  private final AtomicInteger next = new AtomicInteger();
  private volatile CountDownLatch done;
  private volatile boolean failed;
  // Each task's failure, by index: written by the lanes, read by the caller after the latch.
  private Throwable[] failures;

  /**
   * {@code threads} threads (1: the caller's only), named after {@code name}.
   *
   * @throws IllegalArgumentException unless {@code 1 ≤ threads ≤ }{@link #MAX}
   */
  public EvaluationThreads(int threads, String name) {
    if (threads < 1 || threads > MAX) {
      throw new IllegalArgumentException("--worker-threads must be between 1 and " + MAX
          + ", got " + threads);
    }
    this.threads = threads;
    if (threads == 1) {
      this.pool = null;
      this.lanes = new Lane[0];
      return;
    }
    String prefix = "tapetrain-" + name + "-eval-" + POOLS.incrementAndGet() + "-";
    AtomicInteger count = new AtomicInteger();
    ThreadFactory factory = r -> {
      Thread t = new Thread(r, prefix + count.incrementAndGet());
      t.setDaemon(true); // never keeps a JVM alive whose worker did not close them
      return t;
    };
    this.pool = Executors.newFixedThreadPool(threads, factory);
    this.lanes = new Lane[threads];
    for (int l = 0; l < threads; l++) {
      lanes[l] = new Lane(l);
    }
    LOG.info("{} evaluates its rounds on {} threads", name, threads);
  }

  /** The number of threads, and of lanes. */
  public int count() {
    return threads;
  }

  /**
   * Runs tasks {@code 0 … tasks − 1}, each once, on up to {@link #count()} threads, taken in
   * ascending order; returns when all have ended. If tasks threw, the first of them by index
   * is thrown here (the one a single thread would have met first), the same throwable; tasks
   * not yet started when one failed are not started.
   */
  void run(int tasks, Task task) {
    if (pool == null || tasks <= 1) {
      for (int t = 0; t < tasks; t++) {
        task.run(t, 0);
      }
      return;
    }
    int used = Math.min(threads, tasks);
    Throwable[] failures = failures(tasks);
    this.task = task;
    this.tasks = tasks;
    this.failed = false;
    next.set(0);
    CountDownLatch latch = new CountDownLatch(used);
    done = latch;
    for (int l = 0; l < used; l++) {
      pool.execute(lanes[l]);
    }
    boolean interrupted = false;
    while (true) {
      try {
        latch.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true; // the lanes still write into this round's places: wait for them
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    this.task = null;
    if (failed) {
      for (int t = 0; t < tasks; t++) {
        if (failures[t] != null) {
          Throwable first = failures[t];
          java.util.Arrays.fill(failures, null);
          rethrow(first);
        }
      }
    }
  }

  private Throwable[] failures(int tasks) {
    if (failures == null || failures.length < tasks) {
      failures = new Throwable[tasks];
    }
    return failures;
  }

  private static void rethrow(Throwable t) {
    if (t instanceof RuntimeException r) {
      throw r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    throw new IllegalStateException(t);
  }

  /** One thread's part of a run: takes the next task until none is left or one failed. */
  private final class Lane implements Runnable {
    private final int lane;

    Lane(int lane) {
      this.lane = lane;
    }

    @Override
    public void run() {
      CountDownLatch latch = done;
      try {
        Task current = task;
        int n = tasks;
        // Once taken a task runs: every task before a failed one then runs, as on one thread.
        while (!failed) {
          int t = next.getAndIncrement();
          if (t >= n) {
            break;
          }
          try {
            current.run(t, lane);
          } catch (Throwable e) { // handed to the caller, who throws the first by index
            failures[t] = e;
            failed = true;
          }
        }
      } finally {
        latch.countDown();
      }
    }
  }

  /** Stops the threads (a run in progress is not waited for). */
  @Override
  public void close() {
    if (pool != null) {
      pool.shutdownNow();
    }
  }
}
