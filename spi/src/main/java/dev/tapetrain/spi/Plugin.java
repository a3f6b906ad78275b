package dev.tapetrain.spi;

import java.util.List;

/**
 * An extension point's implementation (a model, an optimizer, an input format): one class that
 * owns its name, its one-line description and its settings. Found with {@link
 * java.util.ServiceLoader} ({@code META-INF/services/<the extension point's interface>}), so a
 * plug-in in a jar on the class path is used like a built-in one; see {@link Plugins}.
 */
public interface Plugin {

  /** The name a command line selects it by: lower-case letters, digits and dashes. */
  String name();

  /** One line for {@code --help} and error messages. */
  default String description() {
    return name();
  }

  /**
   * The settings it takes. A built-in plug-in's settings are command-line options of their own
   * ({@code --hidden}); anyone else's are given as {@code --set NAME=VALUE}.
   */
  default List<Setting> settings() {
    return List.of();
  }
}
