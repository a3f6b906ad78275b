package dev.tapetrain.worker.shard;

import dev.tapetrain.data.Segment;
import dev.tapetrain.models.CompiledModel;
import dev.tapetrain.models.Model;
import dev.tapetrain.protocol.ChunkRows;
import dev.tapetrain.tape.NotCompilableException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When a worker's model runs as a compiled loop, for any model: with the default schedule, a
 * loop compiled ahead of time from the first evaluation and one Janino compiles after
 * {@link ShardEvaluator#COMPILE_AFTER_SAMPLES} samples or {@link #COMPILE_AFTER_EVALUATIONS}
 * evaluations or {@link #COMPILE_AFTER_EAGER_NANOS} of eager time, whichever comes first (at
 * once when the rounds said to follow reach that many rounds or samples: {@link #expectRounds});
 * with an explicit
 * threshold, both after it. A loop an earlier run compiled and kept in the loop cache
 * ({@link dev.tapetrain.worker.LoopFiles}) counts as precompiled: no compiler runs for it. The model's program is traced once, on one block of samples, whatever the number of
 * samples; a model the compiler cannot take is said so in one log line (naming the op or the
 * parameter) and is evaluated eagerly from then on, with the same bits.
 */
final class ModelCompilation {

  // Logged as the evaluator's, whose lines these were before this class was split from it.
  private static final Logger LOG = LoggerFactory.getLogger(ShardEvaluator.class);

  /**
   * Samples the program is traced and checked on, at most: the trace runs the eager tape on them
   * twice, so a wide model (an MLP with 9000 hidden units) traced on a whole block of 8192 would
   * need gigabytes where one chunk's evaluation needs megabytes. The loop it yields is the same
   * for any count (checked: {@code CompiledFunction} traces at n and n − 1).
   */
  static final int TRACE_SAMPLES = 32;

  /**
   * With the default schedule, evaluations after which a model compiles at run time whatever
   * their samples: a mini-batch round gives a worker a few hundred samples, so the sample
   * threshold alone was never reached in an epoch of 1M samples and every small step ran the
   * eager tape op by op (22 % of a softmax epoch in JFR, issue 26 item 5). 64 rounds keep short
   * full-batch jobs (the tutorial's 200 steps use a precompiled loop anyway) from paying Janino's
   * ≈ 0.35 s for little.
   */
  static final int COMPILE_AFTER_EVALUATIONS = 64;

  /**
   * With the default schedule, eager time after which a model compiles at run time whatever its
   * samples and evaluations: about what one compile costs (Janino's first in a JVM ≈ 0.35 s), so
   * a job never spends more than about twice the better choice's time on the way (the
   * rent-or-buy rule). A full pass of softmax 50 → 10 over 50 000 samples takes 0.3–1 s eagerly,
   * so the sample threshold (2^20 samples: 21 such steps) left job E of {@code PeerBenchmark}
   * eager for two thirds of its steps. Compiled and eager sums have the same bits, so when this
   * fires changes the time only, never a result.
   */
  static final long COMPILE_AFTER_EAGER_NANOS = 300_000_000L;

  private final Model model;
  private final long compileAfterSamples;
  private CompiledModel compiled;
  private boolean tried;
  private boolean noPrecompiledLoop;
  private long eagerSamples;
  private long eagerEvaluations;
  private long roundsAhead;
  private long eagerNanos;
  // The compile started while the shard loaded (compileAhead), or null.
  private Future<?> ahead;

  /**
   * @param compileAfterSamples the threshold in samples evaluated eagerly, or
   *                            {@link ShardEvaluator#DEFAULT_COMPILE}
   */
  ModelCompilation(Model model, long compileAfterSamples) {
    this.model = model;
    this.compileAfterSamples = compileAfterSamples;
  }

  /**
   * The compiled sums if the model is compiled by now, else null (evaluate eagerly).
   *
   * @param samples  the samples about to be evaluated
   * @param example  where to trace: a segment, or null if no block has the 3 samples tracing
   *                 needs
   * @param from     the first sample of the example in the segment
   * @param length   the example's samples
   * @param values   the parameters' values, at which the loop is checked against the tape
   */
  CompiledModel compiled(long samples, Segment example, int from, int length,
      List<double[]> values) {
    LoopPrefetch.evaluationBegins();
    if (compiled != null || tried) {
      return compiled;
    }
    eagerSamples += samples;
    eagerEvaluations++;
    boolean byDefault = compileAfterSamples == ShardEvaluator.DEFAULT_COMPILE;
    long threshold = byDefault ? ShardEvaluator.COMPILE_AFTER_SAMPLES : compileAfterSamples;
    boolean compileAtRunTime = eagerSamples >= threshold
        || (byDefault && (eagerEvaluations >= COMPILE_AFTER_EVALUATIONS
            || roundsAhead >= COMPILE_AFTER_EVALUATIONS
            || aheadReaches(roundsAhead, samples, threshold)
            || eagerNanos >= COMPILE_AFTER_EAGER_NANOS));
    boolean precompiledOnly = compileAfterSamples == ShardEvaluator.DEFAULT_COMPILE
        && !compileAtRunTime;
    if (example == null || (!compileAtRunTime && (!precompiledOnly || noPrecompiledLoop))) {
      return null;
    }
    if (!compileAtRunTime && ahead != null && !ahead.isDone()) {
      return null; // the loop compiled ahead is not ready yet: eagerly this once, then look again
    }
    int traced = Math.min(length, TRACE_SAMPLES);
    double[][] x = new double[example.x().length][];
    for (int f = 0; f < x.length; f++) {
      x[f] = Arrays.copyOfRange(example.x()[f], from, from + traced);
    }
    double[] y = Arrays.copyOfRange(example.y(), from, from + traced);
    try {
      compiled = CompiledModel.compile(model, x, y, values, compileAtRunTime);
      if (compiled == null) {
        noPrecompiledLoop = true; // wait for the threshold, then compile at run time
        return null;
      }
      tried = true;
      LOG.info("compiled the tape's loss and gradients{} into one loop after {} samples ({})",
          compiled.metricCount() == 0 ? "" : compiled.metricsCompiled() ? " and metrics"
              : " (metrics: the model's own code, per chunk)",
          eagerSamples, compiled.function().precompiled() ? "precompiled"
              : compiled.function().fromLoopStore() ? "from the loop cache"
              : "compiled at run time");
    } catch (NotCompilableException e) {
      tried = true;
      // A model with an op the compiler does not take (a user's abs or Java mask): the
      // eager tape computes the same bits, only slower.
      LOG.debug("running the tape eagerly: {}", e.getMessage());
      EagerNotice.once(model.getClass(), e.getMessage()).ifPresent(LOG::warn);
    } catch (dev.tapetrain.models.ModelFailure e) {
      throw e; // the model's own error: the eager tape would meet it too, and it ends the run
    } catch (RuntimeException e) {
      tried = true;
      LOG.warn("running the tape eagerly: cannot compile the model's sums: {}", e.toString());
    }
    return compiled;
  }

  /**
   * Whether the rounds said to follow, each of about {@code samples}, would take the eager tape
   * past {@code threshold} samples: then the rent-or-buy wait only adds eager time, as the
   * future it hedges against is known (job E of {@code PeerBenchmark}, 30 full-batch steps of
   * 50 000 samples a worker, ran its first two rounds eagerly, ≈ 0.25 s of a cold run).
   */
  private static boolean aheadReaches(long rounds, long samples, long threshold) {
    return samples > 0 && rounds >= (threshold + samples - 1) / samples;
  }

  /**
   * Starts compiling the model's loop on the JVM's compile thread ({@link LoopPrefetch}) while
   * the worker loads its shard, when the work its coordinator announced ({@code roundsAhead}
   * rounds, the shard's {@code samples} each at most) would have the default schedule compile at
   * the first evaluation anyway: Janino's ≈ 0.3 s then overlaps loading instead of delaying the
   * first round. The program is traced on zeros (it depends on the parameters' shapes, not on
   * the data's values) at the model's initial values, then warmed up
   * ({@link LoopWarmUp}); the loop lands among this JVM's loops (and the loop cache), where the
   * first evaluation finds it and checks it on the data as always (one that may not compile at
   * run time runs eagerly while this compile is under way). Nothing else of it is used: the
   * first evaluation meets the model as always, and reports what it throws.
   *
   * @param features the model's input columns
   * @return the compile under way (done when the loop is in the JVM's loops or the compile
   *         failed; the warm-up may go on), or null if none was started (not worth it, or the
   *         JVM's compile thread busy with another)
   */
  Future<?> compileAhead(long roundsAhead, long samples, int features) {
    boolean byDefault = compileAfterSamples == ShardEvaluator.DEFAULT_COMPILE;
    long threshold = ShardEvaluator.COMPILE_AFTER_SAMPLES;
    boolean worth = roundsAhead >= COMPILE_AFTER_EVALUATIONS || samples >= threshold
        || aheadReaches(roundsAhead, samples, threshold);
    if (!byDefault || !worth || settled()) {
      return null;
    }
    List<double[]> initial = model.parameters().stream()
        .map(dev.tapetrain.models.Parameter::initial).toList();
    double[][] x = new double[features][TRACE_SAMPLES];
    double[] y = new double[TRACE_SAMPLES];
    java.util.concurrent.CompletableFuture<Void> compiledAhead =
        new java.util.concurrent.CompletableFuture<>();
    Future<?> task = LoopPrefetch.submit(() -> {
      long start = System.nanoTime();
      CompiledModel loop;
      try {
        loop = CompiledModel.compile(model, x, y, initial, true);
      } finally {
        compiledAhead.complete(null); // the first evaluation need not wait for the warm-up
      }
      if (loop != null) {
        LOG.debug("compiled the model's loop ahead of its first evaluation in {} ms",
            (System.nanoTime() - start) / 1_000_000);
        LoopWarmUp.warm(loop, features, initial, () -> LoopPrefetch.evaluatedSince(start));
      }
      return null;
    });
    ahead = task == null ? null : compiledAhead;
    return ahead;
  }

  /** Counts {@code nanos} of an eager evaluation (towards {@link #COMPILE_AFTER_EAGER_NANOS}). */
  void eagerTook(long nanos) {
    eagerNanos += nanos;
  }

  /** Runs an eager {@code evaluation}, its time counted by {@link #eagerTook}. */
  ChunkRows eager(java.util.function.Supplier<ChunkRows> evaluation) {
    long start = System.nanoTime();
    ChunkRows rows = evaluation.get();
    eagerTook(System.nanoTime() - start);
    return rows;
  }

  /**
   * Says that at least {@code rounds} evaluations like the next one are to come (a mini-batch
   * epoch's batches, or the full-batch rounds the coordinator's plan has left). With the
   * default schedule, when they reach {@link #COMPILE_AFTER_EVALUATIONS}, or their samples
   * {@link ShardEvaluator#COMPILE_AFTER_SAMPLES}, the model compiles at the next evaluation
   * instead of after that many eager ones: an epoch of 1M samples in batches of 256 has 3 907
   * rounds, and its first 64 ran the cold eager tape at 20–45 ms each (≈ 2 s of a 20 s epoch
   * across worker JVMs) where one compile costs ≈ 0.35 s.
   */
  void expectRounds(long rounds) {
    roundsAhead = Math.max(roundsAhead, rounds);
  }

  /** Whether it is settled for good: compiled, or refused (then evaluate eagerly). */
  boolean settled() {
    return compiled != null || tried;
  }

  /** The compiled sums, or null while (or since it is settled that) the tape runs eagerly. */
  CompiledModel current() {
    return compiled;
  }
}
