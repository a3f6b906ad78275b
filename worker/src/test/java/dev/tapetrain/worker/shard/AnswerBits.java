package dev.tapetrain.worker.shard;

import dev.tapetrain.models.Parameter;
import dev.tapetrain.protocol.CoordinatorProtocol.ChunkResult;
import dev.tapetrain.protocol.NamedTensor;
import java.util.ArrayList;
import java.util.List;

/**
 * For tests that compare a {@link ShardEvaluator}'s answers bit for bit between two ways of
 * computing them (heap or column cache, one thread or several): parameters away from the
 * initial ones, and every number of the answers as bits.
 */
final class AnswerBits {

  private AnswerBits() {}

  /** The model's parameters at values that differ from its initial ones. */
  static List<NamedTensor> params(ShardEvaluator e) {
    List<NamedTensor> out = new ArrayList<>();
    for (Parameter p : e.model().parameters()) {
      double[] v = p.initial().clone();
      for (int i = 0; i < v.length; i++) {
        v[i] = v[i] * 0.9 + 0.01 * (i % 7) - 0.02;
      }
      out.add(new NamedTensor(p.name(), p.shape(), v));
    }
    return out;
  }

  /** Every number of the answers, as bits. */
  static List<Long> bits(List<ChunkResult> results) {
    List<Long> out = new ArrayList<>();
    for (ChunkResult r : results) {
      out.add((long) r.chunk());
      out.add((long) r.span());
      out.add(r.count());
      out.add(Double.doubleToRawLongBits(r.lossSum()));
      for (NamedTensor g : r.gradients()) {
        for (double v : g.values()) {
          out.add(Double.doubleToRawLongBits(v));
        }
      }
      for (double m : r.metricSums()) {
        out.add(Double.doubleToRawLongBits(m));
      }
    }
    return out;
  }
}
