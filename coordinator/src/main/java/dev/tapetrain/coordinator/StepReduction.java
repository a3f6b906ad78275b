package dev.tapetrain.coordinator;

import dev.tapetrain.protocol.CoordinatorProtocol.ChunkResult;
import dev.tapetrain.protocol.NamedTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns one step's chunk results into the full-batch mean loss and mean gradients.
 *
 * <p>The order is the determinism contract: chunk results are added in chunk order
 * (0, 1, 2, …), each a left-to-right sum, then divided by N. Whoever computed a chunk, the
 * additions are the same, so the result is bit-identical for any number of workers.
 */
public final class StepReduction {

  private StepReduction() {}

  /**
   * Mean loss, mean gradients (same names, shapes and order as the parameters) and the means of
   * the model's metrics (e.g. accuracy), in the model's order.
   */
  public record Totals(double loss, List<NamedTensor> gradients, List<Double> metrics) {

    /** Totals without metrics. */
    public Totals(double loss, List<NamedTensor> gradients) {
      this(loss, gradients, List.of());
    }

    /** Whether the loss and every gradient element are finite. */
    public boolean finite() {
      return Double.isFinite(loss) && Parameters.allFinite(gradients);
    }
  }

  /**
   * Checks that a chunk result has one gradient per parameter with matching name and size (and
   * as many metric sums as the first result of its step, which {@link #reduce} relies on).
   *
   * @return null if it fits, else what is wrong
   */
  public static String mismatch(ChunkResult r, List<NamedTensor> params) {
    if (r.gradients().size() != params.size()) {
      return "chunk " + r.chunk() + " has " + r.gradients().size() + " gradients for "
          + params.size() + " parameters";
    }
    for (int p = 0; p < params.size(); p++) {
      NamedTensor g = r.gradients().get(p);
      NamedTensor param = params.get(p);
      if (!g.name().equals(param.name()) || !Arrays.equals(g.shape(), param.shape())) {
        return "chunk " + r.chunk() + " gradient " + g + " does not match parameter "
            + param.name() + Arrays.toString(param.shape());
      }
    }
    return null;
  }

  /**
   * Reduces {@code byChunk} (index = chunk; null for a chunk outside this step's batch) to means
   * over {@code examples}, the samples of the chunks present.
   *
   * @param params the parameters the results were computed at (for names and shapes)
   */
  public static Totals reduce(ChunkResult[] byChunk, List<NamedTensor> params, long examples) {
    double lossSum = 0;
    double[][] sums = new double[params.size()][];
    for (int p = 0; p < sums.length; p++) {
      sums[p] = new double[params.get(p).size()];
    }
    long count = 0;
    double[] metricSums = null;
    for (ChunkResult r : byChunk) {
      if (r == null) {
        continue;
      }
      lossSum += r.lossSum();
      count += r.count();
      if (metricSums == null) {
        metricSums = new double[r.metricSums().size()];
      }
      for (int m = 0; m < metricSums.length && m < r.metricSums().size(); m++) {
        metricSums[m] += r.metricSums().get(m);
      }
      for (int p = 0; p < sums.length; p++) {
        double[] g = r.gradients().get(p).values();
        double[] s = sums[p];
        for (int i = 0; i < s.length; i++) {
          s[i] += g[i];
        }
      }
    }
    if (count != examples) {
      throw new IllegalStateException("chunk results cover " + count + " samples, not " + examples);
    }
    List<NamedTensor> means = new ArrayList<>(sums.length);
    for (int p = 0; p < sums.length; p++) {
      double[] s = sums[p];
      for (int i = 0; i < s.length; i++) {
        s[i] /= examples;
      }
      means.add(params.get(p).withValues(s));
    }
    List<Double> metrics = new ArrayList<>();
    if (metricSums != null) {
      for (double m : metricSums) {
        metrics.add(m / examples);
      }
    }
    return new Totals(lossSum / examples, means, metrics);
  }
}
