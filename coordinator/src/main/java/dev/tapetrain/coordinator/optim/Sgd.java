package dev.tapetrain.coordinator.optim;

import dev.tapetrain.protocol.NamedTensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Plain gradient descent, the tutorial's {@code GradientDescentOptimizer}:
 * {@code p ← p − g·lr} (computed in that order, as {@code W.assign_sub(dW * learning_rate)}).
 */
public final class Sgd implements Optimizer {

  private final double learningRate;

  /** Gradient descent with step size {@code learningRate}. */
  public Sgd(double learningRate) {
    this.learningRate = learningRate;
  }

  @Override
  public String name() {
    return "sgd";
  }

  @Override
  public double learningRate() {
    return learningRate;
  }

  @Override
  public List<NamedTensor> apply(List<NamedTensor> params, List<NamedTensor> grads) {
    return apply(params, grads, learningRate);
  }

  @Override
  public List<NamedTensor> apply(List<NamedTensor> params, List<NamedTensor> grads,
      double learningRate) {
    if (params.size() != grads.size()) {
      throw new IllegalArgumentException(params.size() + " parameters, " + grads.size() + " gradients");
    }
    List<NamedTensor> out = new ArrayList<>(params.size());
    for (int p = 0; p < params.size(); p++) {
      double[] v = params.get(p).values().clone();
      double[] g = grads.get(p).values();
      for (int i = 0; i < v.length; i++) {
        v[i] -= g[i] * learningRate;
      }
      out.add(params.get(p).withValues(v));
    }
    return out;
  }
}
