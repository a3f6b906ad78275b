package dev.tapetrain.worker.shard;

import dev.tapetrain.data.Segment;
import dev.tapetrain.protocol.ChunkRows;
import dev.tapetrain.protocol.NamedTensor;
import java.util.List;

/**
 * {@code --class-weight} on a chunk's sums (Keras' {@code class_weight}): each training
 * sample's loss, and so its gradient, times its class's weight; the metrics and the sample
 * count unweighted (the mean divides the weighted loss sum by the count of samples, as Keras
 * does). A model's sums carry no per-sample weight, so each chunk's members are evaluated class
 * by class — the members of class 0, then of class 1, …, each group in ascending sample order —
 * and the chunk's row is {@code Σ_c w_c · sums_c} over the classes present, in class order.
 * That order depends only on the chunk and the selection, never on the worker, so weighted
 * runs stay bit-identical for any worker count.
 */
final class ClassWeighting {

  private final double[] weights;
  private final int classes;

  /** The weighting of {@code weights}, one per class. */
  ClassWeighting(List<Double> weights) {
    this.classes = weights.size();
    this.weights = new double[classes];
    for (int c = 0; c < classes; c++) {
      this.weights[c] = weights.get(c);
    }
  }

  /**
   * {@code chunks} (a segment whose chunk {@code k} holds one selection's members in sample
   * order) regrouped: one chunk per (chunk, class present), in chunk then class order.
   */
  Split split(Segment chunks) {
    int parts = chunks.chunks();
    int n = chunks.starts()[parts]; // the arrays may be longer (reused from batch to batch)
    int[] counts = new int[classes];
    int[] owner = new int[parts * classes];
    int[] klass = new int[parts * classes];
    int groups = 0;
    int[] starts = new int[parts * classes + 1];
    double[][] x = new double[chunks.x().length][n];
    double[] y = new double[n];
    int at = 0;
    for (int k = 0; k < parts; k++) {
      int from = chunks.start(k);
      int to = from + chunks.length(k);
      java.util.Arrays.fill(counts, 0);
      for (int i = from; i < to; i++) {
        counts[classOf(chunks.y()[i])]++;
      }
      for (int c = 0; c < classes; c++) {
        if (counts[c] == 0) {
          continue;
        }
        starts[groups] = at;
        owner[groups] = k;
        klass[groups] = c;
        groups++;
        for (int i = from; i < to; i++) {
          if (classOf(chunks.y()[i]) == c) {
            for (int f = 0; f < x.length; f++) {
              x[f][at] = chunks.x()[f][i];
            }
            y[at++] = chunks.y()[i];
          }
        }
      }
    }
    starts[groups] = at;
    return new Split(new Segment(0, java.util.Arrays.copyOf(starts, groups + 1), x, y),
        java.util.Arrays.copyOf(owner, groups), java.util.Arrays.copyOf(klass, groups));
  }

  /**
   * The rows of the chunks {@code ids} (one per chunk of the segment {@link #split} was given)
   * from the rows of the split's groups: weighted loss and gradients, plain metric sums and
   * counts.
   */
  ChunkRows combine(Split split, ChunkRows groups, List<Integer> ids, List<NamedTensor> params,
      int metrics) {
    ChunkRows out = new ChunkRows(params, metrics, ids.size());
    int width = out.width();
    int weighted = width - metrics;
    int g = 0;
    for (int k = 0; k < ids.size(); k++) {
      long count = 0;
      double[] row = new double[width];
      for (; g < split.owner().length && split.owner()[g] == k; g++) {
        double w = weights[split.klass()[g]];
        int base = g * width;
        for (int j = 0; j < weighted; j++) {
          row[j] += w * groups.values()[base + j];
        }
        for (int j = weighted; j < width; j++) {
          row[j] += groups.values()[base + j];
        }
        count += groups.count(g);
      }
      out.add(ids.get(k), count, row);
    }
    return out;
  }

  private int classOf(double y) {
    int c = (int) y;
    if (c != y || c < 0 || c >= classes) {
      throw new IllegalArgumentException("label " + y + " is not a class 0 .. " + (classes - 1)
          + " of --class-weight");
    }
    return c;
  }

  /**
   * A selection regrouped by class: {@code segment}'s chunk {@code g} holds the members of
   * class {@code klass[g]} of the selection's chunk {@code owner[g]}.
   */
  record Split(Segment segment, int[] owner, int[] klass) {}
}
