package dev.tapetrain.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One setting a plug-in declares: its name, its kind, its default, its range and one line of
 * help. The command line, the run's numbers and {@code config.json} are derived from these
 * declarations; nothing lists a plug-in's settings a second time.
 *
 * <p>A value travels as its <em>canonical text</em> (what {@link #canonical} returns): integers
 * in decimal, numbers as {@link Double#toString} (which reads back to the same bits), flags as
 * {@code true}/{@code false}, lists comma-separated. Two runs have the same settings exactly when
 * their canonical texts are equal.
 *
 * <pre>{@code
 * Setting.integer("hidden", 16, Range.atLeast(1), "hidden units")
 * Setting.number("momentum", 0.9, Range.atLeast(0).below(1), "decay of the velocity")
 * }</pre>
 */
public final class Setting {

  /** What values a setting takes. */
  public enum Kind {
    /** A 64-bit integer. */
    INTEGER,
    /** A finite double. */
    NUMBER,
    /** A comma-separated list of finite doubles, at least one. */
    NUMBERS,
    /** {@code true} or {@code false}; on the command line a flag without a value. */
    FLAG,
    /** Any text without line breaks. */
    TEXT
  }

  private final String name;
  private final Kind kind;
  private final String defaultText;
  private final Range range;
  private final String help;

  private Setting(String name, Kind kind, String defaultText, Range range, String help) {
    if (!name.matches("[a-z][a-z0-9]*(-[a-z0-9]+)*")) {
      throw new IllegalArgumentException("setting name '" + name + "': lower-case letters, "
          + "digits and single dashes, starting with a letter");
    }
    this.name = name;
    this.kind = kind;
    this.range = Objects.requireNonNull(range, "range");
    this.help = Objects.requireNonNull(help, "help");
    this.defaultText = defaultText == null ? null : canonical(defaultText, "default of " + name);
  }

  /** An integer setting within {@code range}. */
  public static Setting integer(String name, long defaultValue, Range range, String help) {
    return new Setting(name, Kind.INTEGER, Long.toString(defaultValue), range, help);
  }

  /** A number setting within {@code range}. */
  public static Setting number(String name, double defaultValue, Range range, String help) {
    return new Setting(name, Kind.NUMBER, Double.toString(defaultValue), range, help);
  }

  /** A list of numbers, each within {@code range}. */
  public static Setting numbers(String name, List<Double> defaultValue, Range range,
      String help) {
    return new Setting(name, Kind.NUMBERS, join(defaultValue), range, help);
  }

  /** A flag, false unless given. */
  public static Setting flag(String name, String help) {
    return new Setting(name, Kind.FLAG, "false", Range.ANY, help);
  }

  /** A text setting; {@code defaultValue} null: the setting must be given. */
  public static Setting text(String name, String defaultValue, String help) {
    return new Setting(name, Kind.TEXT, defaultValue, Range.ANY, help);
  }

  /** The name: {@code --NAME} for a built-in option, {@code --set NAME=VALUE} otherwise. */
  public String name() {
    return name;
  }

  /** What values it takes. */
  public Kind kind() {
    return kind;
  }

  /** The canonical text of the default, or null if the setting must be given. */
  public String defaultText() {
    return defaultText;
  }

  /** The range of its numbers. */
  public Range range() {
    return range;
  }

  /** One line for {@code --help}. */
  public String help() {
    return help;
  }

  /**
   * The canonical text of {@code text}, checked against the kind and the range.
   *
   * @param label how the user gave it, for the message ({@code --hidden}, {@code --set k})
   * @throws UserError naming {@code label}, the value and what was expected
   */
  public String canonical(String text, String label) {
    String t = text.trim();
    switch (kind) {
      case INTEGER -> {
        long v;
        try {
          v = Long.parseLong(t);
        } catch (NumberFormatException e) {
          throw new UserError(label + ": '" + t + "' is not an integer");
        }
        range.check(label, v, Long.toString(v), true);
        return Long.toString(v);
      }
      case NUMBER -> {
        double v = parseNumber(label, t);
        range.check(label, v, Double.toString(v), false);
        return Double.toString(v);
      }
      case NUMBERS -> {
        List<Double> out = new ArrayList<>();
        for (String part : t.split(",", -1)) {
          double v = parseNumber(label, part.trim());
          range.check(label, v, Double.toString(v), false);
          out.add(v);
        }
        return join(out);
      }
      case FLAG -> {
        String lower = t.toLowerCase(Locale.ROOT);
        if (!lower.equals("true") && !lower.equals("false")) {
          throw new UserError(label + ": '" + t + "' is not true or false");
        }
        return lower;
      }
      case TEXT -> {
        if (t.indexOf('\n') >= 0 || t.indexOf('\r') >= 0) {
          throw new UserError(label + ": a value cannot span lines");
        }
        return text;
      }
      default -> throw new IllegalStateException(kind.toString());
    }
  }

  private static double parseNumber(String label, String t) {
    try {
      double v = Double.parseDouble(t);
      if (Double.isFinite(v)) {
        return v;
      }
    } catch (NumberFormatException e) {
      // the message below
    }
    throw new UserError(label + ": '" + t + "' is not a finite number");
  }

  private static String join(List<Double> values) {
    List<String> parts = new ArrayList<>();
    for (double v : values) {
      parts.add(Double.toString(v));
    }
    return String.join(",", parts);
  }

  @Override
  public String toString() {
    return name + " (" + kind.name().toLowerCase(Locale.ROOT) + (defaultText == null ? ""
        : ", default " + defaultText) + ")";
  }

  /**
   * The allowed values of a number: bounds (inclusive or not) on each side, or none. Messages
   * say what was expected in the words users read on the command line.
   *
   * @param min          lower bound, or -infinity for none
   * @param minInclusive whether {@code min} itself is allowed
   * @param max          upper bound, or +infinity for none
   * @param maxInclusive whether {@code max} itself is allowed
   */
  public record Range(double min, boolean minInclusive, double max, boolean maxInclusive) {

    /** Any finite number. */
    public static final Range ANY = new Range(Double.NEGATIVE_INFINITY, false,
        Double.POSITIVE_INFINITY, false);

    /** {@code [min, max]}. */
    public static Range between(double min, double max) {
      return new Range(min, true, max, true);
    }

    /** {@code [min, ∞)}. */
    public static Range atLeast(double min) {
      return new Range(min, true, Double.POSITIVE_INFINITY, false);
    }

    /** {@code (min, ∞)}. */
    public static Range above(double min) {
      return new Range(min, false, Double.POSITIVE_INFINITY, false);
    }

    /** This range, bounded above by {@code max} (excluded). */
    public Range below(double max) {
      return new Range(min, minInclusive, max, false);
    }

    void check(String label, double v, String given, boolean integer) {
      boolean low = Double.isInfinite(min) || (minInclusive ? v >= min : v > min);
      boolean high = Double.isInfinite(max) || (maxInclusive ? v <= max : v < max);
      if (!low || !high) {
        throw new UserError(label + " must be " + describe(integer) + ", got " + given);
      }
    }

    /**
     * The range in words, for integers ({@code at least 1}, {@code between 1 and 256}) or
     * numbers ({@code >= 0}, {@code a finite number > 0}, {@code in [0, 1)}).
     */
    public String describe(boolean integer) {
      boolean hasMin = !Double.isInfinite(min);
      boolean hasMax = !Double.isInfinite(max);
      if (hasMin && hasMax) {
        if (integer) {
          return "between " + number(min) + " and " + number(max);
        }
        return "in " + (minInclusive ? "[" : "(") + number(min) + ", " + number(max)
            + (maxInclusive ? "]" : ")");
      }
      if (hasMin) {
        if (integer) {
          return "at least " + number(minInclusive ? min : min + 1);
        }
        return minInclusive ? ">= " + number(min) : "a finite number > " + number(min);
      }
      if (hasMax) {
        if (integer) {
          return "at most " + number(maxInclusive ? max : max - 1);
        }
        return maxInclusive ? "<= " + number(max) : "below " + number(max);
      }
      return "a finite number";
    }

    private static String number(double v) {
      return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v)
          : Double.toString(v);
    }
  }
}
