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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Epochs of shuffled mini-batches (issue 26): the same bits for any number of workers, the
 * parameters of an independent plain-loop mini-batch SGD that draws its batches from the
 * permutation written in docs/training-loop.md (not from tapetrain's code), the step lines.
 */
class EpochsTest {

  private static final int N = 203;
  private static final double LR = 0.05;

  @TempDir
  Path dir;

  private static final NoisyLine DATA = NoisyLine.of(N, 11);
  private static final double[] X = DATA.x();
  private static final double[] Y = DATA.y();

  private Path csv() throws Exception {
    return DATA.csv(dir);
  }

  /** Plain-loop mini-batch SGD on mean((x·w + b − y)²); returns {w, b}, and each batch's loss. */
  private static double[] plainLoop(long seed, int epochs, int batch, boolean shuffle,
      boolean dropLast, double w, double b, List<Double> losses) {
    return plainLoop(N, seed, epochs, batch, shuffle, dropLast, w, b, losses, new ArrayList<>());
  }

  /**
   * The same on the first {@code train} samples; after each epoch, the mean loss over the
   * others (the validation split) goes to {@code valLosses}.
   */
  private static double[] plainLoop(int train, long seed, int epochs, int batch,
      boolean shuffle, boolean dropLast, double w, double b, List<Double> losses,
      List<Double> valLosses) {
    for (int e = 0; e < epochs; e++) {
      // The documented permutation, written again from docs/training-loop.md.
      int[] order = shuffle ? DocumentedOrder.permutation(seed, e, train)
          : DocumentedOrder.permutation(0, 0, 1);
      if (!shuffle) {
        order = new int[train];
        for (int i = 0; i < train; i++) {
          order[i] = i;
        }
      }
      for (int from = 0; from < train; from += batch) {
        int n = Math.min(batch, train - from);
        if (dropLast && n < batch) {
          break;
        }
        double gw = 0;
        double gb = 0;
        double loss = 0;
        for (int k = from; k < from + n; k++) {
          int i = order[k];
          double err = X[i] * w + b - Y[i];
          loss += err * err;
          gw += 2 * err * X[i];
          gb += 2 * err;
        }
        losses.add(loss / n);
        w -= LR * (gw / n);
        b -= LR * (gb / n);
      }
      double val = 0;
      for (int i = train; i < N; i++) {
        double err = X[i] * w + b - Y[i];
        val += err * err;
      }
      valLosses.add(val / (N - train));
    }
    return new double[] {w, b};
  }

  private String[] job(Path data, String... more) {
    List<String> args = new ArrayList<>(List.of("--data", data.toString(), "--features", "x",
        "--target", "y", "--learning-rate", "" + LR, "--chunk-size", "16", "--init-w", "0",
        "--init-b", "0"));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  private static List<String> stepLines(Path run) throws Exception {
    List<String> out = new ArrayList<>();
    for (String line : Files.readAllLines(run.resolve("steps.jsonl"))) {
      JsonNode n = Json.MAPPER.readTree(line);
      out.add(n.get("step").asText() + " " + n.get("loss").asText() + " " + n.get("w").asText()
          + " " + n.get("b").asText() + " " + n.get("digest").asText());
    }
    return out;
  }

  @Test
  void miniBatchesAreBitIdenticalForOneThreeAndEightWorkersAndMatchAPlainLoop()
      throws Exception {
    Path data = csv();
    List<String> first = null;
    for (int workers : new int[] {1, 3, 8}) {
      Path run = dir.resolve("w" + workers);
      Runs.Result r = Runs.run(job(data, "--batch-size", "32", "--epochs", "3", "--workers",
          "" + workers, "--run-dir", run.toString()));
      assertEquals(0, r.exitCode(), r.err());
      List<String> steps = stepLines(run);
      if (first == null) {
        first = steps;
        // 203 samples in batches of 32: 7 updates an epoch, the last of 11 samples.
        assertEquals(21, steps.size());
        List<Double> losses = new ArrayList<>();
        double[] p = plainLoop(42, 3, 32, true, false, 0, 0, losses);
        JsonNode summary = Runs.summary(run);
        assertEquals(p[0], summary.get("w").asDouble(), 1e-12 * Math.abs(p[0]), "w");
        assertEquals(p[1], summary.get("b").asDouble(), 1e-12 * Math.abs(p[1]), "b");
        assertEquals(21, summary.get("steps").asLong());
        for (int k = 0; k < losses.size(); k++) {
          double logged = Double.parseDouble(steps.get(k).split(" ")[1]);
          // Each step logs its batch's mean loss before its own update.
          assertEquals(losses.get(k), logged, 1e-12 * losses.get(k), "loss of step " + k);
        }
        assertTrue(r.out().startsWith("Initial loss: "), r.out());
      } else {
        assertEquals(first, steps, workers + " workers: every step's loss, W, B and digest");
      }
    }
  }

  @Test
  void eachEpochsLineIsTheSampleWeightedMeanOfItsStepsLosses() throws Exception {
    Path data = csv();
    Path run = dir.resolve("epochs");
    Runs.Result r = Runs.run(job(data, "--batch-size", "32", "--epochs", "3", "--workers", "3",
        "--run-dir", run.toString()));
    assertEquals(0, r.exitCode(), r.err());
    List<String> steps = stepLines(run);
    List<String> epochs = Files.readAllLines(run.resolve("epochs.jsonl"));
    assertEquals(3, epochs.size());
    for (int e = 0; e < 3; e++) {
      double sum = 0;
      for (int s = 0; s < 7; s++) {
        int n = s < 6 ? 32 : 11;
        sum += Double.parseDouble(steps.get(e * 7 + s).split(" ")[1]) * n;
      }
      JsonNode line = Json.MAPPER.readTree(epochs.get(e));
      assertEquals(e + 1, line.get("epoch").asLong());
      assertEquals(7L * (e + 1), line.get("steps").asLong());
      assertEquals(sum / N, line.get("loss").asDouble(), 1e-12 * sum / N, "epoch " + (e + 1));
      assertTrue(r.out().contains(String.format(java.util.Locale.ROOT,
          "Epoch %d/3 \u2014 loss %.3f%n", e + 1, sum / N)), r.out());
    }
    assertEquals(3, Runs.summary(run).get("epochs").asLong());
  }

  @Test
  void aValidationSplitHoldsOutTheLastSamplesAndIsEvaluatedAfterEachEpoch() throws Exception {
    Path data = csv();
    List<String> firstSteps = null;
    List<String> firstEpochs = null;
    for (int workers : new int[] {1, 3, 8}) {
      Path run = dir.resolve("val" + workers);
      Runs.Result r = Runs.run(job(data, "--batch-size", "32", "--epochs", "3",
          "--validation-split", "0.2", "--workers", "" + workers, "--run-dir", run.toString()));
      assertEquals(0, r.exitCode(), r.err());
      List<String> steps = stepLines(run);
      List<String> epochs = Files.readAllLines(run.resolve("epochs.jsonl"));
      if (firstSteps == null) {
        firstSteps = steps;
        firstEpochs = epochs;
        // Keras: the last 203 − floor(203 · 0.8) = 41 samples; 162 train, 6 batches an epoch.
        assertEquals(18, steps.size());
        List<Double> losses = new ArrayList<>();
        List<Double> valLosses = new ArrayList<>();
        double[] p = plainLoop(162, 42, 3, 32, true, false, 0, 0, losses, valLosses);
        JsonNode summary = Runs.summary(run);
        assertEquals(p[0], summary.get("w").asDouble(), 1e-12 * Math.abs(p[0]), "w");
        assertEquals(p[1], summary.get("b").asDouble(), 1e-12 * Math.abs(p[1]), "b");
        for (int e = 0; e < 3; e++) {
          JsonNode line = Json.MAPPER.readTree(epochs.get(e));
          assertEquals(valLosses.get(e), line.get("val_loss").asDouble(),
              1e-12 * valLosses.get(e), "val_loss of epoch " + (e + 1));
        }
        assertEquals(valLosses.get(2), summary.get("val_loss").asDouble(),
            1e-12 * valLosses.get(2));
        // TensorBoard: val/loss and epoch/loss at each epoch's last step.
        List<Long> at = new ArrayList<>();
        for (TfEvents.Event ev : TfEvents.read(TfEvents.file(run))) {
          if (ev.scalars().containsKey("val/loss")) {
            int e = at.size();
            at.add(ev.step());
            assertEquals((float) (double) valLosses.get(e), ev.scalars().get("val/loss"));
            assertEquals((float) Json.MAPPER.readTree(epochs.get(e)).get("loss").asDouble(),
                ev.scalars().get("epoch/loss"));
          }
        }
        assertEquals(List.of(5L, 11L, 17L), at);
        assertTrue(r.out().contains(String.format(java.util.Locale.ROOT,
            "Epoch 3/3 \u2014 loss %.3f \u2014 val_loss %.3f%n",
            Json.MAPPER.readTree(epochs.get(2)).get("loss").asDouble(), valLosses.get(2))),
            r.out());
      } else {
        assertEquals(firstSteps, steps, workers + " workers: every step's bits");
        assertEquals(firstEpochs, epochs, workers + " workers: every epoch's bits");
      }
    }
  }

  @Test
  void earlyStoppingStopsAtTheEpochKerasRuleNamesOnAPlainLoop() throws Exception {
    Path data = csv();
    double minDelta = 0.002;
    int patience = 2;
    // The plain loop's validation losses over 40 epochs, and Keras' rule applied to them.
    List<Double> valLosses = new ArrayList<>();
    plainLoop(162, 42, 40, 32, true, false, 0, 0, new ArrayList<>(), valLosses);
    int stopAt = 0;
    double best = Double.POSITIVE_INFINITY;
    int wait = 0;
    for (int e = 0; e < valLosses.size() && stopAt == 0; e++) {
      wait++;
      if (valLosses.get(e) + minDelta < best) {
        best = valLosses.get(e);
        wait = 0;
      } else if (wait >= patience) {
        stopAt = e + 1;
      }
    }
    assertTrue(stopAt > 2 && stopAt < 40, "the rule stops mid-run here: epoch " + stopAt);
    List<Double> losses = new ArrayList<>();
    double[] p = plainLoop(162, 42, stopAt, 32, true, false, 0, 0, losses, new ArrayList<>());

    Path run = dir.resolve("early");
    Runs.Result r = Runs.run(job(data, "--batch-size", "32", "--epochs", "40",
        "--validation-split", "0.2", "--early-stopping-patience", "" + patience, "--min-delta",
        "" + minDelta, "--workers", "3", "--run-dir", run.toString()));
    assertEquals(0, r.exitCode(), r.err());
    JsonNode summary = Runs.summary(run);
    assertEquals("stopped_early", summary.get("status").asText());
    assertEquals(stopAt, Files.readAllLines(run.resolve("epochs.jsonl")).size());
    assertEquals(6L * stopAt, summary.get("steps").asLong());
    assertEquals(p[0], summary.get("w").asDouble(), 1e-12 * Math.abs(p[0]), "w");
    assertEquals(p[1], summary.get("b").asDouble(), 1e-12 * Math.abs(p[1]), "b");
    assertTrue(r.err().contains("tapetrain: stopped early after " + 6 * stopAt + " step(s): "
        + "val_loss did not improve by more than --min-delta " + minDelta), r.err());
    Runs.Result again = Runs.run("--resume", run.toString(), "--epochs", "50");
    assertEquals(0, again.exitCode(), again.err());
    assertTrue(again.err().contains("nothing to do: the run stopped early"), again.err());
  }

  @Test
  void restoreBestEndsWithTheParametersOfTheBestValidation() throws Exception {
    Path data = csv();
    double minDelta = 0.002;
    int epochs = 12;
    List<Double> valLosses = new ArrayList<>();
    plainLoop(162, 42, epochs, 32, true, false, 0, 0, new ArrayList<>(), valLosses);
    int bestEpoch = 0;
    double best = Double.POSITIVE_INFINITY;
    for (int e = 0; e < epochs; e++) {
      if (valLosses.get(e) + minDelta < best) {
        best = valLosses.get(e);
        bestEpoch = e + 1;
      }
    }
    assertTrue(bestEpoch > 1 && bestEpoch < epochs, "the best is mid-run here: " + bestEpoch);
    double[] p = plainLoop(162, 42, bestEpoch, 32, true, false, 0, 0, new ArrayList<>(),
        new ArrayList<>());
    Path run = dir.resolve("best");
    Runs.Result r = Runs.run(job(data, "--batch-size", "32", "--epochs", "" + epochs,
        "--validation-split", "0.2", "--restore-best", "--min-delta", "" + minDelta,
        "--workers", "3", "--run-dir", run.toString()));
    assertEquals(0, r.exitCode(), r.err());
    JsonNode summary = Runs.summary(run);
    assertEquals("completed", summary.get("status").asText());
    assertEquals(6L * epochs, summary.get("steps").asLong(), "every epoch trained");
    assertEquals(p[0], summary.get("w").asDouble(), 1e-12 * Math.abs(p[0]), "w of the best");
    assertEquals(p[1], summary.get("b").asDouble(), 1e-12 * Math.abs(p[1]), "b of the best");
  }

  @Test
  void withoutShufflingAndWithDropLastTheBatchesFollowTheSampleOrder() throws Exception {
    Path data = csv();
    Path run = dir.resolve("plain");
    Runs.Result r = Runs.run(job(data, "--batch-size", "50", "--epochs", "2", "--no-shuffle",
        "--drop-last", "--workers", "3", "--run-dir", run.toString()));
    assertEquals(0, r.exitCode(), r.err());
    List<Double> losses = new ArrayList<>();
    double[] p = plainLoop(42, 2, 50, false, true, 0, 0, losses);
    // 203 samples: 4 batches of 50 an epoch, the last 3 samples left out.
    assertEquals(8, losses.size());
    assertEquals(8, stepLines(run).size());
    JsonNode summary = Runs.summary(run);
    assertEquals(p[0], summary.get("w").asDouble(), 1e-12 * Math.abs(p[0]), "w");
    assertEquals(p[1], summary.get("b").asDouble(), 1e-12 * Math.abs(p[1]), "b");
    JsonNode options = Json.MAPPER.readTree(run.resolve("config.json").toFile()).get("options");
    assertEquals(2, options.get("epochs").asLong());
    assertEquals(4, options.get("steps_per_epoch").asLong());
    assertFalse(options.get("shuffle").asBoolean());
  }

  @Test
  void raisingEpochsOnResumeEqualsOneLongerRunBitForBit() throws Exception {
    Path data = csv();
    Path whole = dir.resolve("whole");
    assertEquals(0, Runs.run(job(data, "--batch-size", "32", "--epochs", "3", "--run-dir",
        whole.toString())).exitCode());
    Path part = dir.resolve("part");
    assertEquals(0, Runs.run(job(data, "--batch-size", "32", "--epochs", "1", "--run-dir",
        part.toString())).exitCode());
    Runs.Result same = Runs.run("--resume", part.toString(), "--epochs", "1");
    assertEquals(0, same.exitCode(), same.err());
    assertTrue(same.err().contains("nothing to do: the run completed all its 7 steps (raise "
        + "--epochs to train further)"), same.err());
    Runs.Result resumed = Runs.run("--resume", part.toString(), "--epochs", "3", "--workers",
        "2");
    assertEquals(0, resumed.exitCode(), resumed.err());
    assertEquals(stepLines(whole), stepLines(part), "every step once, bit for bit");
    assertEquals(Runs.summary(whole).get("params"), Runs.summary(part).get("params"));
    Runs.Result steps = Runs.run("--resume", part.toString(), "--steps", "40");
    assertEquals(2, steps.exitCode());
    assertTrue(steps.err().contains("raise --epochs, not --steps"), steps.err());
  }
}
