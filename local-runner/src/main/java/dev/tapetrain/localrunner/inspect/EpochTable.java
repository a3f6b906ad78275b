package dev.tapetrain.localrunner.inspect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tapetrain.coordinator.run.Json;
import dev.tapetrain.coordinator.run.RunFiles;
import dev.tapetrain.coordinator.run.StepReader;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The epoch table of a run of epochs, from its {@code epochs.jsonl}: one row per epoch (epoch,
 * updates, loss, each metric, val_loss, each val metric) and the best epoch.
 *
 * <p>Streams like the step table: a first pass ({@link #read}) counts the lines and keeps only
 * the best line; {@link #print} reads the file again and prints every K-th epoch (K the smallest
 * of 1, 2, 5 × 10^k giving at most {@value #MAX_ROWS} rows), the best and the last. Memory does
 * not depend on the number of epochs.
 *
 * <p>The best epoch is the one with the lowest value of the run's {@code monitor} (the highest
 * of a {@code val_accuracy}-like metric), else of {@code val_loss} when validated, else of the
 * epoch's training {@code loss}; the earliest wins a tie (Keras' {@code EarlyStopping}). With the
 * run's {@code --min-delta}, an epoch is better only by more than it, as the run's early
 * stopping and {@code --restore-best} judged: the best epoch is the one whose parameters those
 * kept (it named epoch 4 where the run kept epoch 2's, a new-user test round, 2026-12-07).
 */
final class EpochTable {

  /** The file's name in a run directory. */
  static final String FILE = "epochs.jsonl";
  static final int MAX_ROWS = 20;

  private final Path file;
  private final List<String> columns = new ArrayList<>();
  private final String monitor;
  private final boolean higherIsBetter;
  /** The run's {@code --min-delta} (0: none). */
  private final double minDelta;
  private long count;
  private JsonNode best;
  private JsonNode last;

  EpochTable(RunFiles run) {
    this.file = run.dir().resolve(FILE);
    columns.add("loss");
    columns.addAll(run.metrics());
    List<String> val = new ArrayList<>();
    val.add("val_loss");
    run.metrics().forEach(m -> val.add("val_" + m));
    columns.addAll(val);
    JsonNode options = run.config().path("options");
    boolean validated = options.has("validation_split") || options.has("validation_data");
    String m = options.path("monitor").asText("");
    if (m.isEmpty()) {
      m = validated ? "val_loss" : "loss";
    }
    this.monitor = m;
    this.higherIsBetter = !m.endsWith("loss");
    this.minDelta = options.path("min_delta").asDouble(0);
  }

  /** Whether the run has an epochs.jsonl (a run of epochs). */
  boolean present() {
    return StepReader.size(file) > 0;
  }

  /**
   * The first pass: counts the epochs and keeps the best and the last; {@code each} also gets
   * every line (a plot's series), {@code warn} the reader's warnings.
   */
  void read(Consumer<JsonNode> each, Consumer<String> warn) {
    try (StepReader reader = StepReader.from(file, 0, false)) {
      for (JsonNode line = reader.next(); line != null; line = reader.next()) {
        each.accept(line);
        count++;
        last = line;
        if (line.has(monitor) && better(Json.number(line.get(monitor)))) {
          best = line;
        }
      }
      reader.warnings().forEach(warn);
    }
  }

  private boolean better(double v) {
    if (Double.isNaN(v)) {
      return false;
    }
    if (best == null) {
      return true;
    }
    double b = Json.number(best.get(monitor));
    // EarlyStopping's comparison, in doubles: current − δ > best, current + δ < best.
    return higherIsBetter ? v - minDelta > b : v + minDelta < b;
  }

  /** The best epoch's line, or null (no epoch logged, or none with the monitored number). */
  JsonNode best() {
    return best;
  }

  /** The monitored number that names the best epoch. */
  String monitor() {
    return monitor;
  }

  /** The number of epochs logged. */
  long count() {
    return count;
  }

  /** Adds {@code epochs}, {@code best_epoch} and the best epoch's numbers to a JSON summary. */
  void summarize(ObjectNode s) {
    s.put("epochs_logged", count);
    if (best != null) {
      s.put("best_epoch", best.path("epoch").asLong());
      s.put("best_monitor", monitor);
      for (String c : columns) {
        if (best.has(c)) {
          s.set("best_" + c, best.get(c));
        }
      }
    }
  }

  /** The summary lines: the best epoch and its numbers. */
  void printSummary(PrintStream out) {
    if (best != null) {
      out.printf(Locale.ROOT, "best epoch:     %d of %d by %s (%s)%n",
          best.path("epoch").asLong(), count, monitor, cells(best, ", "));
    }
  }

  /** The second pass: the table (every K-th epoch, the best and the last). */
  void print(PrintStream out) {
    long k = every(count);
    out.println(k == 1 ? "epochs:" : String.format(Locale.ROOT,
        "epochs (every %dth, the best and the last):", k));
    StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%6s  %7s", "epoch",
        "steps"));
    for (String c : columns) {
      header.append(String.format(Locale.ROOT, "  %14s", c));
    }
    out.println(header);
    long bestEpoch = best == null ? -1 : best.path("epoch").asLong();
    long index = 0;
    try (StepReader reader = StepReader.from(file, 0, false)) {
      for (JsonNode line = reader.next(); line != null; line = reader.next(), index++) {
        long epoch = line.path("epoch").asLong();
        if (index % k == 0 || index == count - 1 || epoch == bestEpoch) {
          StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%6d  %7d", epoch,
              line.path("steps").asLong()));
          for (String c : columns) {
            row.append(String.format(Locale.ROOT, "  %14s",
                line.has(c) ? number(line.get(c)) : "-"));
          }
          if (epoch == bestEpoch) {
            row.append("  best");
          }
          out.println(row);
        }
      }
    }
  }

  private String cells(JsonNode line, String separator) {
    List<String> parts = new ArrayList<>();
    for (String c : columns) {
      if (line.has(c)) {
        parts.add(c + " " + number(line.get(c)));
      }
    }
    return String.join(separator, parts);
  }

  private static String number(JsonNode v) {
    return String.format(Locale.ROOT, "%.6g", Json.number(v));
  }

  /** The smallest K of 1, 2, 5 × 10^k giving at most {@value #MAX_ROWS} rows of {@code n}. */
  static long every(long n) {
    for (long p = 1; ; p *= 10) {
      for (long m : new long[] {1, 2, 5}) {
        long k = m * p;
        if ((n + k - 1) / k <= MAX_ROWS) {
          return k;
        }
      }
    }
  }
}
