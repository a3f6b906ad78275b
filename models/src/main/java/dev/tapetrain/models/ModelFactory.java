package dev.tapetrain.models;

import dev.tapetrain.spi.Plugin;

/**
 * Makes a {@link Model} by name: the service tapetrain finds with {@link java.util.ServiceLoader}
 * ({@code META-INF/services/dev.tapetrain.models.ModelFactory}), so a model in a user's jar on
 * the class path of the coordinator and the workers is trained with {@code --model NAME} like a
 * built-in one.
 *
 * <p>A factory owns its name, its description and its {@linkplain #settings() settings} (given as
 * {@code --set NAME=VALUE}; a built-in model's as options of their own, {@code --hidden}), and
 * says how its model reads targets ({@link #targets()}). The settings reach {@link #create}
 * checked against their declarations and recorded in the run's numbers.
 */
public interface ModelFactory extends Plugin {

  /**
   * How the model reads targets: a regression or classes with {@code --classes} by default.
   */
  default Targets targets() {
    return Targets.REGRESSION_OR_CLASSES;
  }

  /**
   * The parameters a run's files and console show by name at the top level (the tutorial's
   * {@code w} and {@code b}, which users and scripts read: {@code "w"} and {@code "grad_w"} in
   * each step line, {@code W = …} on the console), in this order; empty (the default): every
   * parameter nested under {@code params}, the console showing norms.
   */
  default java.util.List<String> flatParameters() {
    return java.util.List.of();
  }

  /**
   * A model for {@code options}.
   *
   * @throws IllegalArgumentException or {@link dev.tapetrain.spi.UserError} naming the setting
   *     if the options do not fit this model
   */
  Model create(ModelOptions options);
}
