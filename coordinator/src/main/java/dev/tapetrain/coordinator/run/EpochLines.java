package dev.tapetrain.coordinator.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tapetrain.coordinator.TrainingEvent;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * {@code epochs.jsonl}: one JSON object per epoch of a run of epochs, beside steps.jsonl —
 * {@code epoch} (from 1), {@code steps} (updates done at its end), {@code loss} and each metric
 * (the sample-weighted means of its steps, each on its batch before its update), and with
 * validation {@code val_loss} and {@code val_<metric>}. Written as each epoch ends; a resumed
 * run first cuts the epochs it will end again.
 */
final class EpochLines implements AutoCloseable {

  /** The file's name in a run directory. */
  static final String FILE = "epochs.jsonl";

  private final Path file;
  private BufferedWriter out;

  EpochLines(Path file) {
    this.file = file;
  }

  /** Appends {@code e}'s line, with metrics named by {@code metricNames}, and flushes it. */
  void write(TrainingEvent.EpochEnded e, List<String> metricNames) throws IOException {
    ObjectNode n = Json.object();
    n.put("epoch", e.epoch());
    n.put("steps", e.steps());
    n.put("loss", e.loss());
    put(n, "", metricNames, e.metrics());
    if (!Double.isNaN(e.valLoss())) {
      n.put("val_loss", e.valLoss());
      put(n, "val_", metricNames, e.valMetrics());
    }
    if (e.reduced() != null) {
      n.put("learning_rate_reduced_to", e.reduced().rate());
    }
    if (out == null) {
      out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    }
    out.write(Json.MAPPER.writeValueAsString(n));
    out.write('\n');
    out.flush();
  }

  /**
   * Adds the last epoch's numbers to summary.json's {@code summary}: {@code epochs} (ended),
   * {@code epoch_loss} and, with validation, {@code val_loss} and {@code val_<metric>}. Nothing
   * if no epoch ended ({@code last} null).
   */
  static void summarize(ObjectNode summary, TrainingEvent.EpochEnded last,
      List<String> metricNames) {
    if (last != null) {
      summary.put("epochs", last.epoch());
      summary.put("epoch_loss", last.loss());
      if (!Double.isNaN(last.valLoss())) {
        summary.put("val_loss", last.valLoss());
        put(summary, "val_", metricNames, last.valMetrics());
      }
    }
  }

  /**
   * The epoch's TensorBoard scalars: {@code epoch/loss}, {@code epoch/<metric>} and, with
   * validation, {@code val/loss} and {@code val/<metric>}.
   */
  static java.util.Map<String, Double> scalars(TrainingEvent.EpochEnded e,
      List<String> metricNames) {
    java.util.Map<String, Double> out = new java.util.LinkedHashMap<>();
    out.put("epoch/loss", e.loss());
    for (int i = 0; i < metricNames.size() && i < e.metrics().size(); i++) {
      out.put("epoch/" + metricNames.get(i), e.metrics().get(i));
    }
    if (!Double.isNaN(e.valLoss())) {
      out.put("val/loss", e.valLoss());
      for (int i = 0; i < metricNames.size() && i < e.valMetrics().size(); i++) {
        out.put("val/" + metricNames.get(i), e.valMetrics().get(i));
      }
    }
    return out;
  }

  private static void put(ObjectNode n, String prefix, List<String> names, List<Double> values) {
    for (int i = 0; i < names.size() && i < values.size(); i++) {
      n.put(prefix + names.get(i), values.get(i));
    }
  }

  /**
   * Keeps the lines of the epochs that ended by update {@code fromSteps} (a resumed run ends the
   * later ones again), if the file exists; a torn last line goes too.
   */
  static void cutAfter(Path file, long fromSteps) throws IOException {
    if (!Files.exists(file)) {
      return;
    }
    StringBuilder kept = new StringBuilder();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      JsonNode n;
      try {
        n = Json.MAPPER.readTree(line);
      } catch (com.fasterxml.jackson.core.JsonProcessingException torn) {
        break;
      }
      if (n != null && n.path("steps").asLong(Long.MAX_VALUE) <= fromSteps) {
        kept.append(line).append('\n');
      }
    }
    Path tmp = AtomicFiles.temporarySibling(file);
    Files.writeString(tmp, kept, StandardCharsets.UTF_8);
    AtomicFiles.moveInto(tmp, file);
  }

  @Override
  public void close() throws IOException {
    if (out != null) {
      out.close();
    }
  }
}
