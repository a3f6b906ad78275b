package dev.tapetrain.models;

import dev.tapetrain.spi.Settings;
import java.util.Objects;

/**
 * What a model's parameter shapes and initial values follow from: the data (features, classes),
 * {@code --seed}, and the factory's own settings, checked against their declarations.
 *
 * @param features the number of input features, at least 1
 * @param classes  the number of classes of a classifier (at least 2), or 0 for regression
 * @param seed     seed of random initial values (e.g. the MLP's Glorot-uniform weights)
 * @param settings the values of the factory's {@linkplain ModelFactory#settings() settings}
 */
public record ModelOptions(int features, int classes, long seed, Settings settings) {

  /** Validates the numbers. */
  public ModelOptions {
    Objects.requireNonNull(settings, "settings");
    if (features < 1) {
      throw new IllegalArgumentException("a model needs at least one feature, got " + features);
    }
    if (classes == 1 || classes < 0) {
      throw new IllegalArgumentException("--classes must be at least 2, got " + classes);
    }
  }
}
