package dev.tapetrain.coordinator.optim;

import dev.tapetrain.spi.Plugin;
import dev.tapetrain.spi.Settings;

/**
 * Makes an {@link Optimizer} by name: the plug-in {@code --optimizer NAME} selects, found with
 * {@link java.util.ServiceLoader} ({@code META-INF/services/dev.tapetrain.coordinator.optim
 * .OptimizerFactory}) besides the built-in {@code sgd}, {@code momentum} and {@code adam}. It owns
 * its settings ({@code --momentum}; a plug-in's as {@code --set NAME=VALUE}), which reach
 * {@link #create} checked and are recorded in the run's numbers.
 */
public interface OptimizerFactory extends Plugin {

  /**
   * The optimizer with step size {@code learningRate} (finite, > 0) and {@code settings}.
   *
   * @throws IllegalArgumentException naming the setting if they do not fit
   */
  Optimizer create(double learningRate, Settings settings);
}
