package dev.tapetrain.models;

/**
 * Makes a {@link Model} by name: the service tapetrain finds with {@link java.util.ServiceLoader}
 * ({@code META-INF/services/dev.tapetrain.models.ModelFactory}), so a model in a user's jar
 * on the class path is trained with {@code --model NAME} like a built-in one.
 */
public interface ModelFactory {

  /** The name {@code --model} selects, lower-case letters, digits and dashes. */
  String name();

  /** One line for {@code --help} and error messages. */
  default String description() {
    return name();
  }

  /**
   * A model for {@code options}.
   *
   * @throws IllegalArgumentException naming the option if the options do not fit this model
   */
  Model create(ModelOptions options);
}
