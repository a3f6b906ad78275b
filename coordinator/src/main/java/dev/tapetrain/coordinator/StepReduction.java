package dev.tapetrain.coordinator;

import dev.tapetrain.protocol.ChunkTree;
import dev.tapetrain.protocol.CoordinatorProtocol.ChunkResult;
import dev.tapetrain.protocol.NamedTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Turns one round's chunk results into the mean loss, mean gradients and metric means.
 *
 * <p>The order is the determinism contract: results are added along the fixed binary tree of
 * {@link ChunkTree} (workers pre-add the complete nodes inside their chunks, the coordinator
 * completes the tree), then divided by N. Whoever computed a chunk, the additions are the same,
 * so the result is bit-identical for any number of workers.
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
   * as many metric sums as the first result of its round, which {@link #reduce} relies on).
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
   * Reduces one round's results — single chunks and nodes of the {@link ChunkTree}, by
   * {@link ChunkTree#key} — to means over {@code examples}, the samples of the chunks present:
   * the tree is completed in its one order, then divided by N.
   *
   * @param chunks the dataset's number of chunks (the tree's extent)
   * @param params the parameters the results were computed at (for names and shapes)
   */
  public static Totals reduce(Map<Long, ChunkResult> results, int chunks,
      List<NamedTensor> params, long examples) {
    ChunkResult root = ChunkTree.sum(results, 0, ChunkTree.width(chunks));
    long count = root == null ? 0 : root.count();
    if (count != examples) {
      throw new IllegalStateException("chunk results cover " + count + " samples, not " + examples);
    }
    List<NamedTensor> means = new ArrayList<>(params.size());
    for (int p = 0; p < params.size(); p++) {
      double[] s = root.gradients().get(p).values().clone();
      for (int i = 0; i < s.length; i++) {
        s[i] /= examples;
      }
      means.add(params.get(p).withValues(s));
    }
    List<Double> metrics = new ArrayList<>();
    for (double m : root.metricSums()) {
      metrics.add(m / examples);
    }
    return new Totals(root.lossSum() / examples, means, metrics);
  }
}
