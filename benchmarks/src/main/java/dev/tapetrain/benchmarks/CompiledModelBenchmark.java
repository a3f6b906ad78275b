package dev.tapetrain.benchmarks;

import dev.tapetrain.models.Models;
import dev.tapetrain.protocol.CoordinatorProtocol.ChunkResult;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.ModelSpec;
import dev.tapetrain.protocol.NamedTensor;
import dev.tapetrain.worker.shard.ModelLayouts;
import dev.tapetrain.worker.shard.ShardEvaluator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * One worker's gradient pass (the loss, gradient and metric sums of every sample, added along the
 * chunk tree) on the eager tape against the compiled loop, interleaved in one JVM, for issue 27's
 * jobs: softmax with 50 features and 10 classes, and the MLP 10–32–1 (tanh, regression), and
 * job D's MLP 1–16–1 (tiny widths), on 100 000 samples each. Prints the median and the fastest
 * pass of each and their ratio, after checking that both give the same bits.
 *
 * <pre>{@code
 * java -cp benchmarks/target/benchmarks.jar dev.tapetrain.benchmarks.CompiledModelBenchmark \
 *     [ROUNDS [JOBS]]
 * }</pre>
 * The compiled pass's thread CPU time is printed too: on a machine shared with other work it
 * counts less of the time the thread waited for a core. JOBS picks jobs by letter: {@code s}
 * softmax, {@code m} MLP 10–32–1, {@code d} MLP 1–16–1 (default {@code smd}); {@code h} times
 * the README's user model, Huber ({@link ReadmeHuber}), compiled against the built-in linear
 * model, with 1 feature on 1M samples and 10 features on 100 000.
 */
public final class CompiledModelBenchmark {

  private static final int SAMPLES = 100_000;

  private CompiledModelBenchmark() {}

  /** Runs the jobs; the arguments: the number of measured rounds (default 15), the jobs. */
  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
    String jobs = args.length > 1 ? args[1] : "smd";
    if (jobs.contains("s")) {
      job("softmax 50x10", "softmax", 50, 10, Map.of(), rounds);
    }
    if (jobs.contains("m")) {
      job("mlp 10-32-1", "mlp", 10, 0, Map.of("hidden", "32"), rounds);
    }
    if (jobs.contains("d")) {
      job("mlp 1-16-1", "mlp", 1, 0, Map.of("hidden", "16"), rounds);
    }
    if (jobs.contains("h")) {
      try (AutoCloseable huber = Models.provide(new ReadmeHuber())) {
        userModel(1, 1_000_000, rounds);
        userModel(10, SAMPLES, rounds);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /**
   * Issue 27's goal for a user's model: the README's Huber model compiled, within 1.5× the
   * built-in linear model's step. Both compiled from their first pass (the one-feature linear
   * model by its precompiled loop, as in a run), on the same samples, timed in turn.
   */
  private static void userModel(int features, int samples, int rounds) {
    List<Double> trueW = new ArrayList<>(Collections.nCopies(features, 0.5));
    DatasetSpec dataset = new DatasetSpec(DatasetSpec.Source.synthetic(samples, trueW, 0.1, 1,
        42, 0), DatasetSpec.defaultChunkSize(samples));
    ShardEvaluator linear = new ShardEvaluator(dataset, new ModelSpec("linear", 0, 42,
        Map.of()), 0);
    ShardEvaluator huber = new ShardEvaluator(dataset, new ModelSpec("huber", 0, 42, Map.of()), 0);
    List<Integer> chunks = new ArrayList<>();
    for (int c = 0; c < dataset.numChunks(); c++) {
      chunks.add(c);
    }
    linear.ensureLoaded(chunks);
    huber.ensureLoaded(chunks);
    List<NamedTensor> linearParams = ModelLayouts.initialValues(linear.model());
    List<NamedTensor> huberParams = ModelLayouts.initialValues(huber.model());
    for (int i = 0; i < 10; i++) {
      linear.evaluateTree(linearParams, chunks);
      huber.evaluateTree(huberParams, chunks);
    }
    double[] l = new double[rounds];
    double[] h = new double[rounds];
    double[] lc = new double[rounds];
    double[] hc = new double[rounds];
    java.lang.management.ThreadMXBean threads =
        java.lang.management.ManagementFactory.getThreadMXBean();
    for (int r = 0; r < rounds; r++) {
      long cpu = threads.getCurrentThreadCpuTime();
      l[r] = time(linear, linearParams, chunks);
      lc[r] = (threads.getCurrentThreadCpuTime() - cpu) / 1e6;
      cpu = threads.getCurrentThreadCpuTime();
      h[r] = time(huber, huberParams, chunks);
      hc[r] = (threads.getCurrentThreadCpuTime() - cpu) / 1e6;
    }
    Arrays.sort(l);
    Arrays.sort(h);
    Arrays.sort(lc);
    Arrays.sort(hc);
    System.out.printf(java.util.Locale.ROOT,
        "huber vs linear, %d feature(s), %d samples: linear median %7.2f ms (min %7.2f),"
            + " README's huber median %7.2f ms (min %7.2f): huber/linear %.2fx (min %.2fx);"
            + " thread CPU medians %.2f and %.2f ms: %.2fx%n",
        features, samples, l[rounds / 2], l[0], h[rounds / 2], h[0],
        h[rounds / 2] / l[rounds / 2], h[0] / l[0], lc[rounds / 2], hc[rounds / 2],
        hc[rounds / 2] / lc[rounds / 2]);
  }

  private static void job(String label, String model, int features, int classes,
      Map<String, String> settings, int rounds) {
    List<Double> trueW = new ArrayList<>(Collections.nCopies(features, 0.5));
    DatasetSpec dataset = new DatasetSpec(DatasetSpec.Source.synthetic(SAMPLES, trueW, 0.1, 1,
        42, classes), DatasetSpec.defaultChunkSize(SAMPLES));
    ModelSpec spec = new ModelSpec(model, classes, 42, settings);
    ShardEvaluator eager = new ShardEvaluator(dataset, spec, Long.MAX_VALUE);
    ShardEvaluator compiled = new ShardEvaluator(dataset, spec, 0);
    List<Integer> chunks = new ArrayList<>();
    for (int c = 0; c < dataset.numChunks(); c++) {
      chunks.add(c);
    }
    eager.ensureLoaded(chunks);
    compiled.ensureLoaded(chunks);
    List<NamedTensor> params = ModelLayouts.initialValues(eager.model());
    String a = digest(eager.evaluateTree(params, chunks));
    String b = digest(compiled.evaluateTree(params, chunks));
    if (!a.equals(b)) {
      throw new IllegalStateException(label + ": the compiled loop's results differ");
    }
    for (int i = 0; i < 5; i++) {
      eager.evaluateTree(params, chunks);
      compiled.evaluateTree(params, chunks);
    }
    double[] e = new double[rounds];
    double[] c = new double[rounds];
    double[] cpu = new double[rounds];
    java.lang.management.ThreadMXBean threads =
        java.lang.management.ManagementFactory.getThreadMXBean();
    for (int r = 0; r < rounds; r++) {
      e[r] = time(eager, params, chunks);
      long cpuStart = threads.getCurrentThreadCpuTime();
      c[r] = time(compiled, params, chunks);
      cpu[r] = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e6;
    }
    Arrays.sort(e);
    Arrays.sort(c);
    Arrays.sort(cpu);
    System.out.printf(java.util.Locale.ROOT,
        "%-14s eager median %8.2f ms (min %8.2f)  compiled median %8.2f ms (min %8.2f)"
            + "  eager/compiled %.2fx (min %.2fx), same bits; compiled thread CPU median %.2f ms"
            + " (min %.2f)%n", label, e[rounds / 2], e[0], c[rounds / 2], c[0],
        e[rounds / 2] / c[rounds / 2], e[0] / c[0], cpu[rounds / 2], cpu[0]);
  }

  private static double time(ShardEvaluator evaluator, List<NamedTensor> params,
      List<Integer> chunks) {
    long start = System.nanoTime();
    evaluator.evaluateTree(params, chunks);
    return (System.nanoTime() - start) / 1e6;
  }

  private static String digest(List<ChunkResult> results) {
    StringBuilder s = new StringBuilder();
    for (ChunkResult r : results) {
      s.append(r.chunk()).append(':').append(Double.doubleToRawLongBits(r.lossSum()));
      for (NamedTensor g : r.gradients()) {
        for (double v : g.values()) {
          s.append(',').append(Double.doubleToRawLongBits(v));
        }
      }
      s.append(r.metricSums()).append('\n');
    }
    return s.toString();
  }
}
