package dev.tapetrain.models;

import java.util.List;

/**
 * What a model's parameter shapes and initial values follow from: the data (features, classes)
 * and the command line ({@code --hidden}, {@code --seed}, {@code --init-w}, {@code --init-b}).
 * A model ignores what does not apply to it.
 *
 * @param features the number of input features, at least 1
 * @param classes  the number of classes of a classifier (at least 2), or 0 for regression
 * @param hidden   hidden units of the MLP, at least 1
 * @param seed     seed of random initial values (the MLP's Glorot-uniform weights)
 * @param initW    the linear model's initial weight(s): one value for every feature, or one per
 *                 feature
 * @param initB    the linear model's initial bias
 */
public record ModelOptions(int features, int classes, int hidden, long seed, List<Double> initW,
    double initB) {

  /** Validates the numbers; messages name the command-line option. */
  public ModelOptions {
    initW = List.copyOf(initW);
    if (features < 1) {
      throw new IllegalArgumentException("a model needs at least one feature, got " + features);
    }
    if (classes == 1 || classes < 0) {
      throw new IllegalArgumentException("--classes must be at least 2, got " + classes);
    }
    if (hidden < 1) {
      throw new IllegalArgumentException("--hidden must be at least 1, got " + hidden);
    }
  }

  /** The tutorial's linear regression on {@code features} features (W = 5, B = 10). */
  public static ModelOptions linear(int features) {
    return new ModelOptions(features, 0, 16, 42,
        List.of(5.0), 10.0);
  }
}
