package dev.tapetrain.coordinator.optim;

import dev.tapetrain.protocol.NamedTensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The penalty {@code λ‖W‖²} on the weights a model names (never on biases): adds {@code λ·Σ w²} to the loss
 * and {@code 2λ·w} to W's gradient. It depends on the parameters only, so the coordinator adds
 * it once after reducing the chunks.
 */
public final class L2Penalty {

  private final double lambda;
  private final List<String> weights;

  /** A penalty of weight {@code lambda} on the parameters called {@code weights}. */
  public L2Penalty(double lambda, List<String> weights) {
    this.lambda = lambda;
    this.weights = List.copyOf(weights);
  }

  /** {@code λ·Σ w²} over every weight parameter, in the parameters' order. */
  public double loss(List<NamedTensor> params) {
    if (lambda == 0) {
      return 0;
    }
    double s = 0;
    for (NamedTensor p : params) {
      if (weights.contains(p.name())) {
        for (double w : p.values()) {
          s += w * w;
        }
      }
    }
    return lambda * s;
  }

  /** The gradients with {@code 2λ·w} added to W's. */
  public List<NamedTensor> gradients(List<NamedTensor> params, List<NamedTensor> grads) {
    if (lambda == 0) {
      return grads;
    }
    List<NamedTensor> out = new ArrayList<>(grads.size());
    for (NamedTensor g : grads) {
      if (!weights.contains(g.name())) {
        out.add(g);
        continue;
      }
      double[] w = NamedTensor.find(params, g.name()).values();
      double[] v = g.values().clone();
      for (int i = 0; i < v.length; i++) {
        v[i] += 2 * lambda * w[i];
      }
      out.add(g.withValues(v));
    }
    return out;
  }
}
