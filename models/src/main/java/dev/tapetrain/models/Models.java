package dev.tapetrain.models;

import dev.tapetrain.spi.Plugins;
import dev.tapetrain.spi.Settings;
import dev.tapetrain.spi.UserError;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The models this JVM can train: the built-ins ({@link BuiltInModels}) and every
 * {@link ModelFactory} on the class path, through {@link Plugins} (a name is taken once; a
 * user's model cannot replace a built-in, nor declare a setting that shadows an option).
 */
public final class Models {

  private Models() {}

  /**
   * Every model this JVM has.
   *
   * @param options the command line's option names (without dashes) a user's model may not
   *     take as a setting name; empty where no command line parses settings (a worker)
   */
  public static Plugins<ModelFactory> plugins(Set<String> options) {
    return new Plugins<>("model", ModelFactory.class, BuiltInModels.factories(),
        List.copyOf(GIVEN.values()), options);
  }

  /** Factories handed over in code ({@link #provide}), by name. */
  private static final Map<String, ModelFactory> GIVEN =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * Makes {@code factory} a model of this JVM, by its name, as if it were on the class path,
   * until the returned handle is closed: the Java API trains a user's model object this way
   * without a {@code META-INF/services} entry. Its name and settings are checked as a class
   * path model's.
   *
   * @throws UserError if its name is a built-in's, or another factory has it now
   */
  public static AutoCloseable provide(ModelFactory factory) {
    String name = factory.name();
    if (BuiltInModels.factories().stream().anyMatch(f -> f.name().equals(name))) {
      throw new UserError("model '" + name + "' is a built-in model's name; give yours another");
    }
    ModelFactory before = GIVEN.putIfAbsent(name, factory);
    if (before != null && before != factory) {
      throw new UserError("model '" + name + "': another factory of that name is in use by a "
          + "training in this JVM");
    }
    if (before != null) {
      return () -> {}; // the first provider removes it
    }
    return () -> GIVEN.remove(name, factory);
  }

  /** Every available factory by name: the built-ins first, then the class path's, by name. */
  public static Map<String, ModelFactory> available() {
    return plugins(Set.of()).available();
  }

  /**
   * The {@linkplain ModelFactory#flatParameters() flat parameters} of model {@code name}; none
   * for a model this JVM does not have.
   */
  public static java.util.List<String> flatParameters(String name) {
    ModelFactory f = available().get(name);
    return f == null ? java.util.List.of() : f.flatParameters();
  }

  /** Whether {@code name} is a model tapetrain ships (not a plug-in, nor one this JVM lacks). */
  public static boolean isBuiltIn(String name) {
    return plugins(Set.of()).isBuiltIn(name);
  }

  /**
   * How the settings of model {@code name} are given on the command line: {@code --init-w} for a
   * built-in model's, {@code --set delta} for anyone else's; empty if it declares none, and
   * empty (not present) for a model this JVM does not have.
   */
  public static java.util.Optional<java.util.List<String>> settingOptions(String name) {
    Plugins<ModelFactory> all = plugins(Set.of());
    ModelFactory f = all.available().get(name);
    if (f == null) {
      return java.util.Optional.empty();
    }
    String prefix = all.isBuiltIn(name) ? "--" : "--set ";
    return java.util.Optional.of(f.settings().stream().map(s -> prefix + s.name()).toList());
  }

  /**
   * The model {@code name}, its settings given as text ({@code settings}: name → value; the
   * others at their defaults), for data of {@code features} features and {@code classes}
   * classes.
   *
   * @throws UserError for an unknown name (listing the available ones), settings or options
   *     that do not fit the model, or a model that fails while it is built
   */
  public static Model create(String name, int features, int classes, long seed,
      Map<String, String> settings) {
    Plugins<ModelFactory> all = plugins(Set.of());
    ModelFactory f = all.get(name, "--model");
    String prefix = all.isBuiltIn(name) ? "--" : "--set ";
    Settings values = Settings.of(f.settings(), settings, s -> prefix + s);
    return create(f, new ModelOptions(features, classes, seed, values));
  }

  /**
   * The model of {@code factory} for {@code options}.
   *
   * @throws UserError if the options do not fit the model or it fails while it is built
   */
  public static Model create(ModelFactory factory, ModelOptions options) {
    String name = factory.name();
    try {
      Model m = factory.create(options);
      if (m == null || m.parameters() == null || m.parameters().isEmpty()) {
        throw new UserError("--model " + name + " has no parameters");
      }
      Set<String> names = new java.util.HashSet<>();
      for (Parameter p : m.parameters()) {
        if (!names.add(p.name())) {
          throw new UserError("--model " + name + " has two parameters named '" + p.name() + "'");
        }
      }
      return m;
    } catch (UserError e) {
      throw e;
    } catch (IllegalArgumentException e) {
      // A user's model's own refusal ("needs at least 2 features") names the model unless its
      // message does; a built-in's names its option (--hidden …).
      String message = String.valueOf(e.getMessage());
      boolean builtIn = BuiltInModels.factories().stream().anyMatch(b -> b.name().equals(name));
      throw new UserError(builtIn || message.contains(name) ? message
          : "--model " + name + ": " + message, e);
    } catch (RuntimeException e) {
      throw new UserError("--model " + name + " failed while it was built: " + e, e);
    }
  }
}
