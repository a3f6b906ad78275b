package dev.tapetrain.protocol;

import java.util.List;
import java.util.Objects;

/**
 * The model of a run as the coordinator sends it to workers: a name each worker looks up on its
 * own class path (built-in or a user's), and the options its shapes and initial values follow
 * from. Never code.
 *
 * @param name    {@code --model}: linear, logistic, softmax, mlp, or a user's model
 * @param classes {@code --classes}: the classes of a classifier (at least 2), 0 for regression
 * @param hidden  {@code --hidden}: hidden units of the MLP
 * @param seed    {@code --seed}: seed of random initial values
 * @param initW   {@code --init-w}: the linear model's initial weight(s)
 * @param initB   {@code --init-b}: the linear model's initial bias
 */
public record ModelSpec(String name, int classes, int hidden, long seed, List<Double> initW,
    double initB) {

  /** The default model, the tutorial's. */
  public static final String LINEAR = "linear";
  /** Default of {@code --hidden}. */
  public static final int DEFAULT_HIDDEN = 16;

  /** Validates the fields; messages name the option. */
  public ModelSpec {
    Objects.requireNonNull(name, "name");
    initW = List.copyOf(initW);
    if (!name.matches("[a-z0-9][a-z0-9-]*")) {
      throw new IllegalArgumentException("--model: '" + name + "' is not a model name "
          + "(lower-case letters, digits and dashes)");
    }
    if (classes == 1 || classes < 0) {
      throw new IllegalArgumentException("--classes must be at least 2, got " + classes);
    }
    if (hidden < 1) {
      throw new IllegalArgumentException("--hidden must be at least 1, got " + hidden);
    }
  }

  /** The tutorial's model with these initial values. */
  public static ModelSpec linear(List<Double> initW, double initB, long seed) {
    return new ModelSpec(LINEAR, 0, DEFAULT_HIDDEN, seed, initW, initB);
  }

  /** Whether this is the tutorial's linear model. */
  public boolean isLinear() {
    return LINEAR.equals(name);
  }
}
