package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapetrain.coordinator.run.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code inspect} of a run of epochs (issue 26): the epoch table of epochs.jsonl and the best
 * epoch, checked against the file itself on a real logistic run with a validation split.
 */
class InspectEpochsTest {

  @TempDir
  Path dir;

  /**
   * With --min-delta the best epoch is the one the run's own rule kept (--restore-best, early
   * stopping: better by more than δ, Keras' EarlyStopping), not the plain lowest: with δ = 1 no
   * epoch after the first improves on it by that much.
   */
  @Test
  void withMinDeltaTheBestEpochIsTheOneTheRunKept() throws Exception {
    Path run = dir.resolve("delta");
    Runs.Result r = Runs.run("--model", "logistic", "--examples", "400", "--batch-size", "32",
        "--epochs", "4", "--validation-split", "0.25", "--learning-rate", "0.5",
        "--restore-best", "--min-delta", "1", "--run-dir", run.toString());
    assertEquals(0, r.exitCode(), r.err());
    List<JsonNode> epochs = new ArrayList<>();
    for (String line : Files.readAllLines(run.resolve("epochs.jsonl"))) {
      epochs.add(Json.MAPPER.readTree(line));
    }
    // The rule in a plain loop: from +∞, an epoch is the best when val_loss + δ < best.
    double bestLoss = Double.POSITIVE_INFINITY;
    long ruled = -1;
    long lowest = -1;
    double low = Double.POSITIVE_INFINITY;
    for (JsonNode e : epochs) {
      double v = e.get("val_loss").asDouble();
      if (v + 1 < bestLoss) {
        bestLoss = v;
        ruled = e.get("epoch").asLong();
      }
      if (v < low) {
        low = v;
        lowest = e.get("epoch").asLong();
      }
    }
    assertEquals(1, ruled);
    assertTrue(lowest > 1, "the plain lowest is a later epoch: " + epochs);
    JsonNode s = Json.MAPPER.readTree(Runs.run("inspect", run.toString(), "--format", "json")
        .out());
    assertEquals(ruled, s.get("best_epoch").asLong(), s.toString());
    assertTrue(Runs.run("inspect", run.toString()).out().contains("best epoch:     1 of 4 by "
        + "val_loss"));
  }

  @Test
  void inspectShowsEveryEpochAndTheBestValidation() throws Exception {
    Path run = dir.resolve("run");
    Runs.Result r = Runs.run("--model", "logistic", "--examples", "400", "--batch-size", "32",
        "--epochs", "6", "--validation-split", "0.25", "--learning-rate", "0.5", "--workers",
        "3", "--run-dir", run.toString());
    assertEquals(0, r.exitCode(), r.err());
    List<JsonNode> epochs = new ArrayList<>();
    for (String line : Files.readAllLines(run.resolve("epochs.jsonl"))) {
      epochs.add(Json.MAPPER.readTree(line));
    }
    assertEquals(6, epochs.size());
    // The best by val_loss (no --monitor: validated runs monitor val_loss), earliest on a tie.
    JsonNode best = epochs.get(0);
    for (JsonNode e : epochs) {
      if (e.get("val_loss").asDouble() < best.get("val_loss").asDouble()) {
        best = e;
      }
    }

    Runs.Result text = Runs.run("inspect", run.toString());
    assertEquals(0, text.exitCode(), text.err());
    assertTrue(text.out().contains(String.format(Locale.ROOT,
        "best epoch:     %d of 6 by val_loss (loss %.6g, accuracy %.6g, val_loss %.6g, "
            + "val_accuracy %.6g)", best.get("epoch").asLong(), best.get("loss").asDouble(),
        best.get("accuracy").asDouble(), best.get("val_loss").asDouble(),
        best.get("val_accuracy").asDouble())), text.out());
    List<String> rows = new ArrayList<>();
    boolean inTable = false;
    for (String line : text.outLines()) {
      if (line.startsWith("epochs:")) {
        inTable = true;
      } else if (inTable && line.isBlank()) {
        break;
      } else if (inTable && !line.trim().startsWith("epoch")) {
        rows.add(line.trim());
      }
    }
    assertEquals(6, rows.size(), text.out());
    for (int i = 0; i < 6; i++) {
      JsonNode e = epochs.get(i);
      String expected = String.format(Locale.ROOT, "%d %d %.6g %.6g %.6g %.6g",
          e.get("epoch").asLong(), e.get("steps").asLong(), e.get("loss").asDouble(),
          e.get("accuracy").asDouble(), e.get("val_loss").asDouble(),
          e.get("val_accuracy").asDouble());
      if (e == best) {
        expected += " best";
      }
      assertEquals(expected, String.join(" ", rows.get(i).split("\\s+")), text.out());
    }

    Runs.Result json = Runs.run("inspect", run.toString(), "--format", "json");
    assertEquals(0, json.exitCode(), json.err());
    JsonNode s = Json.MAPPER.readTree(json.out());
    assertEquals(6, s.get("epochs_logged").asLong());
    assertEquals(best.get("epoch").asLong(), s.get("best_epoch").asLong());
    assertEquals("val_loss", s.get("best_monitor").asText());
    assertEquals(best.get("val_loss").asDouble(), s.get("best_val_loss").asDouble(), 0.0);
    assertEquals(best.get("val_accuracy").asDouble(), s.get("best_val_accuracy").asDouble(),
        0.0);
  }

  @Test
  void aRunWithoutEpochsHasNoEpochTable() throws Exception {
    Path run = dir.resolve("plain");
    assertEquals(0, Runs.run("--steps", "5", "--run-dir", run.toString()).exitCode());
    Runs.Result text = Runs.run("inspect", run.toString());
    assertFalse(text.out().contains("best epoch"), text.out());
    assertFalse(text.out().contains("epochs:"), text.out());
    JsonNode s = Json.MAPPER.readTree(Runs.run("inspect", run.toString(), "--format", "json")
        .out());
    assertFalse(s.has("epochs_logged"));
  }
}
