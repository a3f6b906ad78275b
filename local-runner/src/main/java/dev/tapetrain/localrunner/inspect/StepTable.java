package dev.tapetrain.localrunner.inspect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.tapetrain.coordinator.run.Json;
import dev.tapetrain.coordinator.run.LoggedStep;
import dev.tapetrain.coordinator.run.RunFiles;
import dev.tapetrain.coordinator.run.StepReader;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The step table of {@code inspect}: a row for every K-th logged step — lines 0, K, 2K, … of
 * steps.jsonl, whatever steps they hold — and one for the last. Columns fit the model: step,
 * loss, the model's flat parameters (the linear model's W and B), its metrics (e.g. accuracy),
 * the gradient's norm, and the mean and slowest step time of the logged steps since the row
 * above (the first row: its own), so a checkpoint's slow step is neither the only time shown nor
 * hidden. Every cell keeps to its column's width, so each column stays under its header also
 * when W is a vector (several features): see {@link #cell}.
 *
 * <p>Without {@code --every}, K is the smallest of 1, 2, 5 × 10^k that gives at most
 * {@value #DEFAULT_ROWS} rows before the last; the table keeps the rows of every candidate K
 * while it reads (each stops once it has more), so it needs one pass and no line count. With
 * {@code --every K} it keeps up to {@value #BUFFERED_ROWS} rows; a longer table is printed from
 * a second pass over the log instead of being held.
 *
 * <p>Use: {@link #accept} for every line in order, then {@link #print}.
 */
final class StepTable {

  /** Rows (before the last) the default K stays within. */
  static final int DEFAULT_ROWS = 20;
  /** Rows of an explicit {@code --every} held in memory; more are printed from a second pass. */
  static final int BUFFERED_ROWS = 1000;
  /** Width of the loss, parameter and metric columns: what a cell never exceeds. */
  static final int CELL = 22;
  /** Significant digits of each value of a vector parameter's cell (Keras' progress bar: 4). */
  private static final int VECTOR_DIGITS = 4;

  private final List<String> flat;
  private final List<String> metrics;
  private final Integer every;
  private final List<Level> levels = new ArrayList<>();
  // One format per row (a Formatter call per cell costs more than reading the line).
  private final String cellsFormat;
  private final String followFormat;
  private long lines;
  private JsonNode last;

  /** A table of {@code run}'s steps: every {@code every}-th logged step, or the default K. */
  StepTable(RunFiles run, Integer every) {
    this(run.flatParameters(), run.metrics(), every, null);
  }

  private StepTable(List<String> flat, List<String> metrics, Integer every, PrintStream out) {
    this.flat = flat;
    this.metrics = metrics;
    this.every = every;
    this.cellsFormat = "%8d  %-" + CELL + "s" + ("  %-" + CELL + "s").repeat(flat.size()
        + metrics.size()) + "  %-12.6g";
    this.followFormat = cellsFormat + "  %9.3f";
    if (every != null) {
      levels.add(new Level(every, BUFFERED_ROWS, out));
    } else {
      // 1, 2, 5, 10, … up to a K no log reaches: the row lists of all but a few stop early.
      for (long k = 1; k > 0 && k <= Long.MAX_VALUE / 10; k *= 10) {
        levels.add(new Level(k, DEFAULT_ROWS, null));
        levels.add(new Level(2 * k, DEFAULT_ROWS, null));
        levels.add(new Level(5 * k, DEFAULT_ROWS, null));
      }
    }
  }

  /** Takes the next logged line. */
  void accept(JsonNode line) {
    long index = lines++;
    last = line;
    double ms = line.path("step_ms").asDouble();
    String cells = null;
    for (Level level : levels) {
      if (level.full) {
        continue;
      }
      level.time(ms);
      if (index % level.k == 0) {
        if (cells == null) {
          cells = cells(line);
        }
        level.row(cells);
      }
    }
  }

  /** Prints the table (a caption, the header and the rows) of everything accepted. */
  void print(PrintStream out, RunFiles run) {
    if (lines == 0) {
      // "yet" only while the run goes on: an ended run will log none.
      out.println("running".equals(run.status().name()) ? "(no steps logged yet)"
          : "(no steps logged)");
      return;
    }
    Level chosen = levels.get(0);
    for (Level level : levels) {
      if (!level.full) {
        chosen = level;
        break;
      }
    }
    out.println("(" + (chosen.k == 1 ? "every logged step" : "every " + ordinal(chosen.k)
        + " logged step and the last") + "; mean and max ms: the logged steps since the row "
        + "above)");
    out.println(header(false));
    if (chosen.full) {
      // Too many rows to hold (only with --every): print them while reading the log again.
      StepTable again = new StepTable(flat, metrics, every, out);
      try (StepReader reader = run.steps()) {
        for (JsonNode line = reader.next(); line != null; line = reader.next()) {
          again.accept(line);
        }
      }
      again.levels.get(0).finish(again);
    } else {
      chosen.finish(this);
      chosen.rows.forEach(out::println);
    }
  }

  /** The header line; {@code follow}: one row per step, with that step's time. */
  String header(boolean follow) {
    String cell = "  %-" + CELL + "s";
    StringBuilder h = new StringBuilder(String.format(Locale.ROOT, "%8s" + cell, "step", "loss"));
    for (String name : flat) {
      h.append(String.format(Locale.ROOT, cell, name.toUpperCase(Locale.ROOT)));
    }
    for (String name : metrics) {
      h.append(String.format(Locale.ROOT, cell, name));
    }
    h.append(String.format(Locale.ROOT, "  %-12s", "|grad|"));
    h.append(follow ? String.format(Locale.ROOT, "  %9s", "step ms")
        : String.format(Locale.ROOT, "  %9s  %9s", "mean ms", "max ms"));
    return h.toString();
  }

  /** One step's row while following a run: its cells and its own step time. */
  String followRow(JsonNode line) {
    Object[] args = cellValues(line, 1);
    args[args.length - 1] = line.path("step_ms").asDouble();
    return String.format(Locale.ROOT, followFormat, args);
  }

  /** The cells of a row but its times. */
  private String cells(JsonNode line) {
    return String.format(Locale.ROOT, cellsFormat, cellValues(line, 0));
  }

  /** The values of a row's cells, and {@code extra} more slots at the end. */
  private Object[] cellValues(JsonNode line, int extra) {
    Object[] args = new Object[3 + flat.size() + metrics.size() + extra];
    int i = 0;
    args[i++] = line.path("step").asLong();
    args[i++] = fit(text(line.get("loss")));
    JsonNode params = flat.isEmpty() ? null : LoggedStep.params(line, flat);
    for (String name : flat) {
      args[i++] = params == null ? "-" : cell(params.get(name));
    }
    for (String name : metrics) {
      args[i++] = fit(text(line.get(name)));
    }
    args[i] = LoggedStep.gradNorm(line, flat);
    return args;
  }

  /** A number as the log wrote it (NaN and infinities without quotes); "-" when missing. */
  static String text(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      return "-";
    }
    return n.isTextual() ? n.asText() : n.toString();
  }

  /**
   * A parameter's cell, at most {@value #CELL} characters so that the columns after it stay
   * under their headers: a number as the log wrote it ({@link #fit}), a vector or matrix as its
   * first values to {@value #VECTOR_DIGITS} significant digits, {@code [1.498, -1.996, 0.5012]},
   * ending {@code , …]} where the rest does not fit. (Every value is in steps.jsonl, and the
   * last ones in the summary above the table.)
   */
  static String cell(JsonNode value) {
    if (value == null || !value.isArray()) {
      return fit(text(value));
    }
    double[] values = LoggedStep.values(value);
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < values.length; i++) {
      String v = String.format(Locale.ROOT, "%." + VECTOR_DIGITS + "g", values[i]);
      String sep = i == 0 ? "" : ", ";
      // Room for this value and, unless it is the last, for ", …]" after it.
      int need = b.length() + sep.length() + v.length() + (i == values.length - 1 ? 1 : 4);
      if (need > CELL) {
        return b.append(i == 0 ? "…]" : ", …]").toString();
      }
      b.append(sep).append(v);
    }
    return b.append(']').toString();
  }

  /**
   * {@code text} when it fits a cell; a number too long for one (a negative one with 17 digits
   * and an exponent: {@code -1.2345678901234567E-10}) with as many significant digits as fit.
   */
  static String fit(String text) {
    if (text.length() <= CELL) {
      return text;
    }
    double v;
    try {
      v = Double.parseDouble(text);
    } catch (NumberFormatException notANumber) {
      return text.substring(0, CELL - 1) + "…";
    }
    for (int digits = 16; digits > 1; digits--) {
      String shorter = String.format(Locale.ROOT, "%." + digits + "g", v);
      if (shorter.length() <= CELL) {
        return shorter;
      }
    }
    return String.format(Locale.ROOT, "%.1g", v);
  }

  /** A parameter as the flat view shows it: a number, or one array of all its values. */
  static String flatText(JsonNode value) {
    if (value == null || !value.isArray()) {
      return text(value);
    }
    ArrayNode flatValues = Json.MAPPER.createArrayNode();
    for (double v : LoggedStep.values(value)) {
      flatValues.add(v);
    }
    return flatValues.toString();
  }

  private static String ordinal(long k) {
    long tens = k % 100;
    String suffix = tens >= 11 && tens <= 13 ? "th"
        : switch ((int) (k % 10)) {
          case 1 -> "st";
          case 2 -> "nd";
          case 3 -> "rd";
          default -> "th";
        };
    return k + suffix;
  }

  /**
   * The rows for one K: every K-th line's cells with the times of the lines since the row
   * before; {@code full} once it has more than {@code limit} rows (printed rows never fill).
   */
  private static final class Level {
    final long k;
    final int limit;
    final PrintStream out;
    final List<String> rows = new ArrayList<>();
    boolean full;
    private double sum;
    private long count;
    private double max = Double.NEGATIVE_INFINITY;

    Level(long k, int limit, PrintStream out) {
      this.k = k;
      this.limit = limit;
      this.out = out;
    }

    void time(double ms) {
      sum += ms;
      count++;
      max = Math.max(max, ms);
    }

    void row(String cells) {
      String row = cells + times();
      if (out != null) {
        out.println(row);
      } else if (rows.size() < limit) {
        rows.add(row);
      } else {
        full = true;
        rows.clear();
      }
    }

    private String times() {
      String t = String.format(Locale.ROOT, "  %9.3f  %9.3f", sum / count, max);
      sum = 0;
      count = 0;
      max = Double.NEGATIVE_INFINITY;
      return t;
    }

    /**
     * Adds the last line's row unless it was a K-th line: with the times of the lines since the
     * row above, and beyond the limit (the last row is always shown).
     */
    void finish(StepTable table) {
      if (count > 0) {
        String row = table.cells(table.last) + times();
        if (out != null) {
          out.println(row);
        } else {
          rows.add(row);
        }
      }
    }
  }
}
