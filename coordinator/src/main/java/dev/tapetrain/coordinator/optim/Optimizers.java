package dev.tapetrain.coordinator.optim;

import java.util.List;

/** Creates optimizers by their command-line name. */
public final class Optimizers {

  /** The names {@code --optimizer} accepts. */
  public static final List<String> NAMES = List.of("sgd");

  private Optimizers() {}

  /** The optimizer called {@code name}; {@link IllegalArgumentException} names the choices. */
  public static Optimizer create(String name, double learningRate) {
    if ("sgd".equals(name)) {
      return new Sgd(learningRate);
    }
    throw new IllegalArgumentException(
        "--optimizer: unknown optimizer '" + name + "'; choose one of " + NAMES);
  }
}
