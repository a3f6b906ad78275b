package dev.tapetrain.spi;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The plug-ins of one extension point this JVM has: the built-ins first, then those on the class
 * path ({@link java.util.ServiceLoader}), by name. A name is taken once (a plug-in cannot replace a
 * built-in), and a plug-in whose setting would shadow an option of the command line is refused
 * when loaded: selecting it says why instead of silently reading the wrong value. A provider
 * that cannot be loaded at all ends the command in one line ({@link ProviderLoading}).
 *
 * @param <T> the extension point
 */
public final class Plugins<T extends Plugin> {

  /** How a plug-in of one's own gets into a JVM, for the message of an unknown name. */
  static final String HOW_TO_ADD = "one of your own: put its jar on the class path "
      + "(TAPETRAIN_CLASSPATH=its.jar for bin/tapetrain, else java -cp)";

  private final String kind;
  private final Map<String, T> available = new LinkedHashMap<>();
  private final Map<String, String> refused = new LinkedHashMap<>();
  private final List<T> builtIns;

  /**
   * The plug-ins of {@code type}.
   *
   * @param kind     what they are, for messages ({@code model}, {@code optimizer})
   * @param builtIns the built-in ones, in the order {@code --help} lists them
   * @param options  the command line's own option names without dashes: a plug-in's setting
   *                 may not take one of them, unless it is a built-in's own option
   */
  public Plugins(String kind, Class<T> type, List<T> builtIns, Set<String> options) {
    this(kind, type, builtIns, List.of(), options);
  }

  /**
   * As {@link #Plugins(String, Class, List, Set)}, with {@code given} plug-ins handed over in
   * code (not found on the class path) checked and named like those of the class path.
   */
  public Plugins(String kind, Class<T> type, List<T> builtIns, List<T> given,
      Set<String> options) {
    this.kind = kind;
    this.builtIns = List.copyOf(builtIns);
    for (T p : builtIns) {
      available.put(p.name(), p);
    }
    List<T> found = new ArrayList<>(given);
    found.addAll(ProviderLoading.load(kind, type));
    Map<T, String> names = new java.util.IdentityHashMap<>();
    for (T p : found) {
      try {
        names.put(p, p.name());
        p.settings();
      } catch (RuntimeException | LinkageError e) {
        throw ProviderLoading.failure(kind, p, e);
      }
    }
    found.sort(Comparator.comparing(p -> String.valueOf(names.get(p))));
    for (T p : found) {
      if (available.containsKey(p.name()) || refused.containsKey(p.name())) {
        continue;
      }
      String problem = problem(p, options);
      if (problem != null) {
        refused.put(p.name(), problem);
      } else {
        available.put(p.name(), p);
      }
    }
  }

  private static String problem(Plugin p, Set<String> options) {
    if (p.name() == null || !p.name().matches("[a-z0-9][a-z0-9-]*")) {
      return "its name '" + p.name() + "' is not lower-case letters, digits and dashes";
    }
    Set<String> seen = new java.util.HashSet<>();
    for (Setting s : p.settings()) {
      if (options.contains(s.name())) {
        return "its setting '" + s.name() + "' would shadow the option --" + s.name()
            + " (rename the setting)";
      }
      if (!seen.add(s.name())) {
        return "it declares the setting '" + s.name() + "' twice";
      }
    }
    return null;
  }

  /** Every usable plug-in by name, the built-ins first. */
  public Map<String, T> available() {
    return java.util.Collections.unmodifiableMap(available);
  }

  /** The built-in plug-ins, in their order. */
  public List<T> builtIns() {
    return builtIns;
  }

  /** Whether {@code name} is a built-in plug-in. */
  public boolean isBuiltIn(String name) {
    return builtIns.stream().anyMatch(p -> p.name().equals(name));
  }

  /**
   * The plug-in {@code name}.
   *
   * @param option the option that named it, for messages ({@code --model})
   * @throws UserError for an unknown or refused name, listing the available ones
   */
  public T get(String name, String option) {
    T p = available.get(name);
    if (p != null) {
      return p;
    }
    String why = refused.get(name);
    if (why != null) {
      throw new UserError(option + ": " + kind + " '" + name + "' on the class path is refused: "
          + why);
    }
    throw new UserError(option + ": unknown " + kind + " '" + name + "' (available: "
        + String.join(", ", available.keySet()) + "); " + HOW_TO_ADD
        + ("model".equals(kind) ? "; in Java, pass it to Trainer.builder().model(…)" : ""));
  }

  /** The names of every setting of every plug-in, each once, in first-seen order. */
  public static List<Setting> allSettings(Collection<? extends Plugin> plugins) {
    Map<String, Setting> out = new LinkedHashMap<>();
    for (Plugin p : plugins) {
      for (Setting s : p.settings()) {
        out.putIfAbsent(s.name(), s);
      }
    }
    return List.copyOf(out.values());
  }
}
