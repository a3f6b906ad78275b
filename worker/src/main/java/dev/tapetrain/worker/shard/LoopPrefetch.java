package dev.tapetrain.worker.shard;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JVM's one thread for compiling models' loops ahead of their first evaluation
 * ({@link ModelCompilation#compileAhead}), and the clock of evaluations that tells a warm-up
 * ({@link LoopWarmUp}) to get out of the way. One thread, taking one compile at a time and
 * queueing none: the workers of one JVM (local-runner) share one loop anyway, and a model whose
 * trace never returns holds this thread only (a daemon: it cannot keep the JVM alive), with no
 * compile waiting behind it. What a compile yields is not kept here: it is in the JVM's loops,
 * where the first evaluation finds it and checks it on its samples.
 */
public final class LoopPrefetch {

  private static final Logger LOG = LoggerFactory.getLogger(LoopPrefetch.class);

  private static final ExecutorService THREAD = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "tapetrain-loop-compile");
    t.setDaemon(true);
    return t;
  });
  private static final AtomicBoolean BUSY = new AtomicBoolean();
  private static final long NEVER = Long.MIN_VALUE;
  // When an evaluation last began in this JVM (System.nanoTime), or NEVER.
  private static volatile long lastEvaluation = NEVER;

  private LoopPrefetch() {}

  /**
   * Runs {@code compile} on the compile thread, unless it is busy with another.
   *
   * @return the compile under way, or null if the thread was busy
   */
  static Future<?> submit(Callable<?> compile) {
    if (!BUSY.compareAndSet(false, true)) {
      return null;
    }
    try {
      return THREAD.submit(() -> {
        try {
          compile.call();
        } catch (VirtualMachineError e) {
          LOG.warn("compiling a model's loop ahead of its first evaluation: {}", e.toString());
        } catch (Exception | LinkageError e) {
          // The first evaluation meets the model as always (and reports what it throws there).
          LOG.debug("compiling the model's loop ahead of its first evaluation failed; the first "
              + "evaluation will try again: {}", e.toString());
        } finally {
          BUSY.set(false);
        }
        return null;
      });
    } catch (RejectedExecutionException e) {
      BUSY.set(false);
      return null;
    }
  }

  /**
   * Waits until the compile thread has finished what it took on (a compile and its warm-up), so
   * that the next compile ahead is not turned away as busy: for tests, which share a JVM.
   * Two minutes at most.
   */
  public static void awaitIdle() throws Exception {
    THREAD.submit(() -> null).get(2, java.util.concurrent.TimeUnit.MINUTES);
  }

  /** An evaluation begins in this JVM now: warm-ups begun before it stop. */
  static void evaluationBegins() {
    lastEvaluation = System.nanoTime();
  }

  /** Whether an evaluation began in this JVM at or after {@code nanos} (System.nanoTime). */
  static boolean evaluatedSince(long nanos) {
    long last = lastEvaluation;
    return last != NEVER && last - nanos >= 0;
  }
}
