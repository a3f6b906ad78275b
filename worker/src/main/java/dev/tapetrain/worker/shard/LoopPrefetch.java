package dev.tapetrain.worker.shard;

import dev.tapetrain.models.CompiledModel;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
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

  /** Samples of one warm-up pass (in ranges of {@link #WARM_RANGE}), at most. */
  private static final int WARM_PASS = 1024;
  private static final int WARM_RANGE = 128;
  /** Samples a warm-up runs the loop over, at most: past C2's thresholds for its methods. */
  static final long WARM_SAMPLES = 1 << 17;
  /** How long a warm-up may take, at most (a wide model's loop is slow on any samples). */
  static final long WARM_NANOS = 250_000_000L;

  /** The loops (by source digest) warmed up in this JVM: each once, whatever its workers. */
  private static final java.util.Set<String> WARMED =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  private LoopPrefetch() {}

  /**
   * Runs {@code loop} over made-up samples until HotSpot has compiled it, so that the first
   * round runs compiled code instead of interpreting the loop over its first thousands of
   * samples: at most {@link #WARM_SAMPLES} samples or {@link #WARM_NANOS}, and not once
   * {@code stop} says the worker evaluates; once per loop in a JVM. The samples are spread over
   * [-1.5, 1.5) so that the branches a real round takes are profiled; the targets are 0, a
   * label of every classifier. What it computes is dropped.
   *
   * @return the samples it ran the loop over
   */
  static long warm(CompiledModel loop, int features, List<double[]> values,
      BooleanSupplier stop) {
    int n = passSamples(features);
    if (n == 0 || stop.getAsBoolean() || !WARMED.add(loop.function().sourceSha256())) {
      return 0; // too wide, too late, or another worker of this JVM warmed this loop up
    }
    double[][] columns = new double[features + 1][n];
    for (int f = 0; f < features; f++) {
      for (int i = 0; i < n; i++) {
        columns[f][i] = ((i * 37 + f * 101) % 192 - 96) / 64.0;
      }
    }
    int[] lengths = new int[n / WARM_RANGE];
    java.util.Arrays.fill(lengths, WARM_RANGE);
    double[] params = new double[loop.parameterValues()];
    loop.flatten(values, params);
    double[] out = new double[lengths.length * loop.width()];
    long start = System.nanoTime();
    long done = 0;
    while (done < WARM_SAMPLES && !stop.getAsBoolean()
        && System.nanoTime() - start < WARM_NANOS) {
      loop.segmentSums(columns, 0, lengths, 0, lengths.length, params, values, out, 0);
      done += n;
    }
    if (done > 0) {
      LOG.debug("warmed the model's loop up on {} samples in {} ms", done,
          (System.nanoTime() - start) / 1_000_000);
    }
    return done;
  }

  /**
   * The samples of one warm-up pass over {@code features} columns: {@link #WARM_PASS}, fewer
   * for wide inputs, whole ranges of {@link #WARM_RANGE}, so that the made-up columns stay
   * within 8 MB; 0 (no warm-up) for inputs so wide that one range would not: their loops are
   * long products over the features, which HotSpot compiles on the first samples anyway.
   */
  static int passSamples(int features) {
    long fit = (1L << 20) / (features + 1);
    return (int) (Math.min(WARM_PASS, fit) / WARM_RANGE * WARM_RANGE);
  }

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
