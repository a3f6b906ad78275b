package dev.tapetrain.worker.shard;

import dev.tapetrain.models.CompiledModel;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a loop compiled ahead ({@link ModelCompilation#compileAhead}) over made-up samples until
 * HotSpot has compiled it, so that round 0 runs compiled code instead of interpreting the loop
 * over its first thousands of samples while C2 works. What it computes is dropped: no result
 * depends on it. Bounded: once per loop in a JVM, at most {@link #SAMPLES} samples or
 * {@link #NANOS}, one range of {@link #RANGE} samples at a time, never once an evaluation has
 * begun, and not at all for models whose made-up columns or per-sample work would be large.
 */
final class LoopWarmUp {

  private static final Logger LOG = LoggerFactory.getLogger(LoopPrefetch.class);

  /** Samples of one range (a chunk's worth), and of the made-up columns at most. */
  static final int RANGE = 128;
  private static final int COLUMNS = 1024;
  /** Samples a warm-up runs the loop over, at most: past C2's thresholds for its methods. */
  static final long SAMPLES = 1 << 17;
  /** How long a warm-up may take, at most. */
  static final long NANOS = 250_000_000L;
  /**
   * Parameter values above which no warm-up runs: such a model's work per sample is long
   * products, which HotSpot compiles within the first samples anyway, and one range of it could
   * outlast {@link #NANOS} interpreted.
   */
  static final int MAX_PARAMETERS = 1 << 14;

  /** The loops (by source digest) warmed up in this JVM: each once, whatever its workers. */
  private static final Set<String> WARMED = ConcurrentHashMap.newKeySet();

  private LoopWarmUp() {}

  /**
   * Warms {@code loop} of a model of {@code features} inputs up at {@code values}, unless
   * {@code stop} says an evaluation has begun. The samples are spread over [-1.5, 1.5) so that
   * the branches a real round takes are profiled; the targets are 0, a label of every
   * classifier.
   *
   * @return the samples it ran the loop over
   */
  static long warm(CompiledModel loop, int features, List<double[]> values,
      BooleanSupplier stop) {
    int n = columnSamples(features);
    if (n == 0 || loop.parameterValues() > MAX_PARAMETERS || stop.getAsBoolean()
        || !WARMED.add(loop.function().sourceSha256())) {
      return 0; // too wide, too late, or another worker of this JVM warmed this loop up
    }
    double[][] columns = new double[features + 1][n];
    for (int f = 0; f < features; f++) {
      for (int i = 0; i < n; i++) {
        columns[f][i] = ((i * 37 + f * 101) % 192 - 96) / 64.0;
      }
    }
    int[] lengths = new int[n / RANGE];
    java.util.Arrays.fill(lengths, RANGE);
    double[] params = new double[loop.parameterValues()];
    loop.flatten(values, params);
    double[] out = new double[loop.width()];
    long start = System.nanoTime();
    long done = 0;
    while (done < SAMPLES && !stop.getAsBoolean() && System.nanoTime() - start < NANOS) {
      int r = (int) (done / RANGE % lengths.length);
      loop.segmentSums(columns, r * RANGE, lengths, r, r + 1, params, values, out, 0);
      done += RANGE;
    }
    LOG.debug("warmed the model's loop up on {} samples in {} ms", done,
        (System.nanoTime() - start) / 1_000_000);
    return done;
  }

  /**
   * The samples of the made-up columns for {@code features} inputs: {@link #COLUMNS}, fewer for
   * wide inputs, whole ranges of {@link #RANGE}, so that they stay within 8 MB; 0 (no warm-up)
   * for inputs so wide that one range would not.
   */
  static int columnSamples(int features) {
    long fit = (1L << 20) / (features + 1);
    return (int) (Math.min(COLUMNS, fit) / RANGE * RANGE);
  }
}
