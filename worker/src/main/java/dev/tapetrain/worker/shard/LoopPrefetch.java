package dev.tapetrain.worker.shard;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JVM's one thread for compiling models' loops ahead of their first evaluation
 * ({@link ModelCompilation#compileAhead}). One thread, so that the workers of one JVM
 * (local-runner) never compile side by side with the loading they should overlap (they share
 * one loop anyway); a daemon, so that a model whose trace never returns cannot keep the JVM
 * alive. What a compile yields is not kept here: it is in the JVM's loops, where the first
 * evaluation finds it; what it throws is logged at DEBUG, as that evaluation meets it again.
 */
final class LoopPrefetch {

  private static final Logger LOG = LoggerFactory.getLogger(LoopPrefetch.class);

  private static final ExecutorService THREAD = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "tapetrain-loop-compile");
    t.setDaemon(true);
    return t;
  });

  private LoopPrefetch() {}

  /** Runs {@code compile} on the compile thread; the future ends when it has. */
  static Future<?> submit(Callable<?> compile) {
    return THREAD.submit(() -> {
      long start = System.nanoTime();
      try {
        compile.call();
        LOG.debug("compiled the model's loop ahead of its first evaluation in {} ms",
            (System.nanoTime() - start) / 1_000_000);
      } catch (Exception | LinkageError | VirtualMachineError e) {
        LOG.debug("compiling the model's loop ahead of its first evaluation failed; the first "
            + "evaluation will try again: {}", e.toString());
      }
      return null;
    });
  }
}
