package dev.tapetrain.coordinator.optim;

import dev.tapetrain.protocol.NamedTensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Adam, exactly {@code tf.keras.optimizers.Adam} (Keras 2.11+): at update t = 1, 2, …
 * <pre>
 * α = lr · √(1 − β₂ᵗ) / (1 − β₁ᵗ)
 * m ← m + (g − m)·(1 − β₁)
 * v ← v + (g² − v)·(1 − β₂)
 * p ← p − m·α / (√v + ε)
 * </pre>
 * Powers use {@link StrictMath} so every machine computes the same bits.
 */
public final class Adam implements Optimizer {

  private final double learningRate;
  private final double beta1;
  private final double beta2;
  private final double epsilon;
  private long iterations;
  private List<NamedTensor> m = List.of();
  private List<NamedTensor> v = List.of();

  /** Adam with the given decays and denominator guard. */
  public Adam(double learningRate, double beta1, double beta2, double epsilon) {
    this.learningRate = learningRate;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
  }

  @Override
  public String name() {
    return "adam";
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
    if (m.isEmpty()) {
      m = Optimizers.zerosLike(params, "m/");
      v = Optimizers.zerosLike(params, "v/");
    }
    long t = iterations + 1;
    double alpha = learningRate * Math.sqrt(1 - StrictMath.pow(beta2, t))
        / (1 - StrictMath.pow(beta1, t));
    List<NamedTensor> out = new ArrayList<>(params.size());
    List<NamedTensor> nextM = new ArrayList<>(params.size());
    List<NamedTensor> nextV = new ArrayList<>(params.size());
    for (int p = 0; p < params.size(); p++) {
      double[] w = params.get(p).values().clone();
      double[] mp = m.get(p).values().clone();
      double[] vp = v.get(p).values().clone();
      double[] g = grads.get(p).values();
      for (int i = 0; i < w.length; i++) {
        mp[i] += (g[i] - mp[i]) * (1 - beta1);
        vp[i] += (g[i] * g[i] - vp[i]) * (1 - beta2);
        w[i] -= (mp[i] * alpha) / (Math.sqrt(vp[i]) + epsilon);
      }
      out.add(params.get(p).withValues(w));
      nextM.add(m.get(p).withValues(mp));
      nextV.add(v.get(p).withValues(vp));
    }
    m = nextM;
    v = nextV;
    iterations = t;
    return out;
  }

  @Override
  public List<NamedTensor> state() {
    if (m.isEmpty()) {
      return List.of();
    }
    List<NamedTensor> s = new ArrayList<>(m);
    s.addAll(v);
    s.add(NamedTensor.scalar("iterations", iterations));
    return s;
  }

  @Override
  public void restore(List<NamedTensor> state) {
    if (state.isEmpty()) {
      return;
    }
    int n = (state.size() - 1) / 2;
    m = List.copyOf(state.subList(0, n));
    v = List.copyOf(state.subList(n, 2 * n));
    iterations = (long) state.get(2 * n).scalarValue();
  }
}
