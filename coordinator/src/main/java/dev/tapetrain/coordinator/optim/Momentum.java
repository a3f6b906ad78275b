package dev.tapetrain.coordinator.optim;

import dev.tapetrain.protocol.NamedTensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Gradient descent with momentum, exactly {@code tf.keras.optimizers.SGD(momentum=…,
 * nesterov=…)}: {@code v ← m·v − lr·g}; then {@code p ← p + v}, or with Nesterov
 * {@code p ← p + m·v − lr·g}. The velocities start at zero.
 */
public final class Momentum implements Optimizer {

  private final double learningRate;
  private final double momentum;
  private final boolean nesterov;
  private List<NamedTensor> velocity = List.of();

  /** Momentum with decay {@code momentum}, Nesterov's variant if {@code nesterov}. */
  public Momentum(double learningRate, double momentum, boolean nesterov) {
    this.learningRate = learningRate;
    this.momentum = momentum;
    this.nesterov = nesterov;
  }

  @Override
  public String name() {
    return "momentum";
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
    if (velocity.isEmpty()) {
      velocity = Optimizers.zerosLike(params, "velocity/");
    }
    List<NamedTensor> out = new ArrayList<>(params.size());
    List<NamedTensor> nextVelocity = new ArrayList<>(params.size());
    for (int p = 0; p < params.size(); p++) {
      double[] w = params.get(p).values().clone();
      double[] v = velocity.get(p).values().clone();
      double[] g = grads.get(p).values();
      for (int i = 0; i < w.length; i++) {
        v[i] = momentum * v[i] - learningRate * g[i];
        w[i] = nesterov ? w[i] + momentum * v[i] - learningRate * g[i] : w[i] + v[i];
      }
      out.add(params.get(p).withValues(w));
      nextVelocity.add(velocity.get(p).withValues(v));
    }
    velocity = nextVelocity;
    return out;
  }

  @Override
  public List<NamedTensor> state() {
    return velocity;
  }

  @Override
  public void restore(List<NamedTensor> state) {
    velocity = List.copyOf(state);
  }
}
