package dev.tapetrain.spi;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The values of a plug-in's declared settings, each as its canonical text (see {@link Setting}),
 * with typed getters. Made by {@link #of}, which checks every value against its declaration and
 * fills in defaults, so a plug-in reads only valid values of settings it declared.
 */
public final class Settings {

  /** No settings. */
  public static final Settings NONE = new Settings(List.of(), new TreeMap<>());

  private final List<Setting> declared;
  private final TreeMap<String, String> values;

  private Settings(List<Setting> declared, TreeMap<String, String> values) {
    this.declared = List.copyOf(declared);
    this.values = values;
  }

  /**
   * The settings {@code declared}, with the values {@code given} (name → text, as typed) and the
   * defaults of the others.
   *
   * @param label how a name was given, for messages: {@code name -> "--" + name}
   * @throws UserError for a value out of range, a setting not declared, or a required one
   *     missing
   */
  public static Settings of(List<Setting> declared, Map<String, String> given,
      java.util.function.Function<String, String> label) {
    TreeMap<String, String> values = new TreeMap<>();
    for (Setting s : declared) {
      String text = given.get(s.name());
      if (text != null) {
        values.put(s.name(), s.canonical(text, label.apply(s.name())));
      } else if (s.defaultText() != null) {
        values.put(s.name(), s.defaultText());
      } else {
        throw new UserError(label.apply(s.name()) + " is required");
      }
    }
    for (String name : given.keySet()) {
      if (!values.containsKey(name)) {
        throw new UserError(label.apply(name) + ": no such setting");
      }
    }
    return new Settings(declared, values);
  }

  /** The settings {@code declared}, every one at its default. */
  public static Settings defaults(List<Setting> declared) {
    return of(declared, Map.of(), name -> "--set " + name);
  }

  /** The canonical texts by name, sorted by name (what the run's numbers record). */
  public Map<String, String> texts() {
    return Collections.unmodifiableMap(values);
  }

  /** What was declared. */
  public List<Setting> declared() {
    return declared;
  }

  /** The canonical text of {@code name}. */
  public String text(String name) {
    String v = values.get(name);
    if (v == null) {
      throw new IllegalArgumentException("no setting '" + name + "' (declared: "
          + values.keySet() + ")");
    }
    return v;
  }

  /**
   * An {@link Setting.Kind#INTEGER} setting's value as an {@code int}.
   *
   * @throws UserError if it does not fit an {@code int}
   */
  public int integer(String name) {
    long v = longInteger(name);
    if (v != (int) v) {
      throw new UserError(name + " " + v + " is too large (at most " + Integer.MAX_VALUE + ")");
    }
    return (int) v;
  }

  /** An {@link Setting.Kind#INTEGER} setting's value. */
  public long longInteger(String name) {
    return Long.parseLong(text(name));
  }

  /** A {@link Setting.Kind#NUMBER} setting's value. */
  public double number(String name) {
    return Double.parseDouble(text(name));
  }

  /** A {@link Setting.Kind#NUMBERS} setting's values. */
  public List<Double> numbers(String name) {
    List<Double> out = new ArrayList<>();
    for (String part : text(name).split(",")) {
      out.add(Double.parseDouble(part));
    }
    return out;
  }

  /** A {@link Setting.Kind#FLAG} setting's value. */
  public boolean flag(String name) {
    return Boolean.parseBoolean(text(name));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Settings s && values.equals(s.values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  @Override
  public String toString() {
    return values.toString();
  }
}
