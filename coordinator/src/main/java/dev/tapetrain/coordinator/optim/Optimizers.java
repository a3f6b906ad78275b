package dev.tapetrain.coordinator.optim;

import dev.tapetrain.protocol.NamedTensor;
import dev.tapetrain.coordinator.spec.OptimizerSpec;
import java.util.ArrayList;
import java.util.List;

/** Creates optimizers from their specification. */
public final class Optimizers {

  private Optimizers() {}

  /** The optimizer of {@code spec} with step size {@code learningRate}. */
  public static Optimizer create(OptimizerSpec spec, double learningRate) {
    return switch (spec.name()) {
      case "sgd" -> new Sgd(learningRate);
      case "momentum" -> new Momentum(learningRate, spec.momentum(), spec.nesterov());
      case "adam" -> new Adam(learningRate, spec.beta1(), spec.beta2(), spec.epsilon());
      default -> throw new IllegalArgumentException("unknown optimizer " + spec.name());
    };
  }

  static List<NamedTensor> zerosLike(List<NamedTensor> params, String prefix) {
    List<NamedTensor> out = new ArrayList<>(params.size());
    for (NamedTensor p : params) {
      out.add(new NamedTensor(prefix + p.name(), p.shape(), new double[p.size()]));
    }
    return out;
  }
}
