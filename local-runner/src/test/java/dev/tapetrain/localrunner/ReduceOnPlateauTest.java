package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapetrain.coordinator.run.Checkpoints;
import dev.tapetrain.coordinator.run.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Reduce on plateau (issue 26 item 3): Keras' {@code ReduceLROnPlateau} rule applied by a plain
 * loop (mini-batch SGD in sample order with a validation split) names the same rate for every
 * step and reaches the same parameters; early stopping wins when both fire after one epoch; the
 * rule's state survives a resume bit for bit; bad options are one line each.
 */
class ReduceOnPlateauTest {

  private static final int N = 203;
  private static final int TRAIN = 162; // floor(203 · 0.8)
  private static final int BATCH = 32;
  private static final double LR = 0.05;
  private static final double FACTOR = 0.5;
  private static final double MIN_DELTA = 0.02;
  private static final double MIN_LR = 0.01;

  @TempDir
  Path dir;

  private static final NoisyLine DATA = NoisyLine.of(N, 11);
  private static final double[] X = DATA.x();
  private static final double[] Y = DATA.y();

  private Path csv() throws Exception {
    return DATA.csv(dir);
  }

  /**
   * Mini-batch SGD on the first TRAIN samples in order, with Keras' ReduceLROnPlateau on the
   * validation loss after each epoch; returns {w, b} and each step's rate in {@code rates}.
   */
  private static double[] plainLoop(int epochs, int patience, List<Double> rates) {
    double w = 0;
    double b = 0;
    double lr = LR;
    double best = Double.POSITIVE_INFINITY;
    int wait = 0;
    for (int e = 0; e < epochs; e++) {
      for (int from = 0; from < TRAIN; from += BATCH) {
        int n = Math.min(BATCH, TRAIN - from);
        double gw = 0;
        double gb = 0;
        for (int i = from; i < from + n; i++) {
          double err = X[i] * w + b - Y[i];
          gw += 2 * err * X[i];
          gb += 2 * err;
        }
        rates.add(lr);
        w -= lr * (gw / n);
        b -= lr * (gb / n);
      }
      double val = 0;
      for (int i = TRAIN; i < N; i++) {
        double err = X[i] * w + b - Y[i];
        val += err * err;
      }
      val /= N - TRAIN;
      // Keras' ReduceLROnPlateau.on_epoch_end, mode min, cooldown 0.
      if (val < best - MIN_DELTA) {
        best = val;
        wait = 0;
      } else {
        wait++;
        if (wait >= patience && lr > MIN_LR) {
          lr = Math.max(lr * FACTOR, MIN_LR);
          wait = 0;
        }
      }
    }
    return new double[] {w, b};
  }

  private String[] job(Path data, Path run, String... more) {
    List<String> args = new ArrayList<>(List.of("--data", data.toString(), "--features", "x",
        "--target", "y", "--learning-rate", "" + LR, "--chunk-size", "16", "--init-w", "0",
        "--init-b", "0", "--batch-size", "" + BATCH, "--no-shuffle", "--validation-split",
        "0.2", "--reduce-lr-factor", "" + FACTOR, "--min-delta", "" + MIN_DELTA, "--min-lr",
        "" + MIN_LR, "--run-dir", run.toString()));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  private static List<Double> loggedRates(Path run) throws Exception {
    List<Double> out = new ArrayList<>();
    for (String line : Files.readAllLines(run.resolve("steps.jsonl"))) {
      out.add(Json.MAPPER.readTree(line).get("learning_rate").asDouble());
    }
    return out;
  }

  @Test
  void everyStepsRateAndTheParametersFollowKerasRuleOnAPlainLoop() throws Exception {
    Path run = dir.resolve("run");
    Runs.Result r = Runs.run(job(csv(), run, "--epochs", "8", "--reduce-lr-patience", "1"));
    assertEquals(0, r.exitCode(), r.err());
    List<Double> rates = new ArrayList<>();
    double[] p = plainLoop(8, 1, rates);
    assertEquals(rates, loggedRates(run), "the rate of every step");
    assertTrue(rates.stream().distinct().count() >= 3 && rates.contains(MIN_LR),
        "the test reduces the rate more than once, down to --min-lr: " + rates);
    JsonNode summary = Runs.summary(run);
    assertEquals(p[0], summary.get("w").asDouble(), 1e-12 * Math.abs(p[0]), "w");
    assertEquals(p[1], summary.get("b").asDouble(), 1e-12 * Math.abs(p[1]), "b");
    // Each reduction is a console line (Keras' verbose one) and a field of its epoch's line.
    int perEpoch = (TRAIN + BATCH - 1) / BATCH;
    List<String> expectedLines = new ArrayList<>();
    List<String> epochs = Files.readAllLines(run.resolve("epochs.jsonl"));
    for (int e = 1; e <= 8; e++) {
      JsonNode line = Json.MAPPER.readTree(epochs.get(e - 1));
      boolean reduced = e < 8 && !rates.get(e * perEpoch).equals(rates.get(e * perEpoch - 1));
      assertEquals(reduced, line.has("learning_rate_reduced_to"), "epoch " + e + ": " + line);
      if (reduced) {
        double next = rates.get(e * perEpoch);
        assertEquals(next, line.get("learning_rate_reduced_to").asDouble(), "epoch " + e);
        // Plain decimals, every digit of the double (not 7.8125E-4).
        expectedLines.add("Epoch " + e + ": reducing learning rate to "
            + new java.math.BigDecimal(Double.toString(next)).stripTrailingZeros().toPlainString()
            + " (val_loss did not improve for 1 epoch)");
      }
    }
    assertEquals(expectedLines, r.out().lines().filter(l -> l.contains("reducing learning"))
        .toList(), r.out());
  }

  @Test
  void earlyStoppingWinsWhenBothFireAfterOneEpoch() throws Exception {
    Path data = csv();
    List<Double> rates = new ArrayList<>();
    plainLoop(8, 2, rates);
    int perEpoch = (TRAIN + BATCH - 1) / BATCH;
    int firstReduced = 0;
    while (rates.get(firstReduced) == LR) {
      firstReduced++;
    }
    assertTrue(firstReduced % perEpoch == 0 && firstReduced < rates.size(), "" + rates);
    // Early stopping with the same patience counts the same epochs and fires on the same one.
    Path both = dir.resolve("both");
    Runs.Result r = Runs.run(job(data, both, "--epochs", "8", "--reduce-lr-patience", "2",
        "--early-stopping-patience", "2"));
    assertEquals(0, r.exitCode(), r.err());
    JsonNode summary = Runs.summary(both);
    assertEquals("stopped_early", summary.get("status").asText());
    assertEquals(firstReduced, summary.get("steps").asLong());
    List<Double> plateau = Checkpoints.read(both.resolve("checkpoint.pb")).state().plateau();
    assertEquals(1.0, plateau.get(2), "the rate was not reduced: " + plateau);
  }

  @Test
  void aResumedRunKeepsThePlateauStateAndEveryBit() throws Exception {
    Path data = csv();
    Path whole = dir.resolve("whole");
    assertEquals(0, Runs.run(job(data, whole, "--epochs", "8", "--reduce-lr-patience", "2"))
        .exitCode());
    Path part = dir.resolve("part");
    assertEquals(0, Runs.run(job(data, part, "--epochs", "3", "--reduce-lr-patience", "2"))
        .exitCode());
    List<Double> state = Checkpoints.read(part.resolve("checkpoint.pb")).state().plateau();
    assertTrue(state.get(1) > 0 || state.get(2) < 1,
        "the resume has a plateau state to carry (a count or a reduced rate): " + state);
    Runs.Result resumed = Runs.run("--resume", part.toString(), "--epochs", "8", "--workers",
        "3");
    assertEquals(0, resumed.exitCode(), resumed.err());
    assertEquals(Files.readAllLines(whole.resolve("steps.jsonl")).stream()
        .map(ReduceOnPlateauTest::numbers).toList(),
        Files.readAllLines(part.resolve("steps.jsonl")).stream()
        .map(ReduceOnPlateauTest::numbers).toList(), "every step's numbers, bit for bit");
    assertTrue(loggedRates(whole).stream().distinct().count() > 1, "a reduction happened");
  }

  private static String numbers(String line) {
    try {
      JsonNode n = Json.MAPPER.readTree(line);
      return n.get("step") + " " + n.get("loss") + " " + n.get("w") + " " + n.get("b") + " "
          + n.get("learning_rate") + " " + n.get("digest");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static Stream<Arguments> badOptions() {
    return Stream.of(
        Arguments.of(new String[] {"--batch-size", "10", "--monitor", "loss",
            "--reduce-lr-factor", "1"}, "--reduce-lr-factor must be in (0, 1), got 1.0"),
        Arguments.of(new String[] {"--batch-size", "10", "--monitor", "loss",
            "--reduce-lr-factor", "0"}, "--reduce-lr-factor must be in (0, 1), got 0.0"),
        Arguments.of(new String[] {"--batch-size", "10", "--monitor", "loss",
            "--reduce-lr-factor", "0.5", "--reduce-lr-patience", "0"},
            "--reduce-lr-patience must be at least 1, got 0"),
        Arguments.of(new String[] {"--batch-size", "10", "--reduce-lr-patience", "3"},
            "--reduce-lr-patience needs --reduce-lr-factor"),
        Arguments.of(new String[] {"--batch-size", "10", "--min-lr", "0.001"},
            "--min-lr needs --reduce-lr-factor"),
        Arguments.of(new String[] {"--reduce-lr-factor", "0.5"},
            "--reduce-lr-factor needs --batch-size"),
        Arguments.of(new String[] {"--batch-size", "10", "--reduce-lr-factor", "0.5"},
            "--monitor val_loss needs --validation-split or --validation-data (or --monitor loss)"),
        Arguments.of(new String[] {"--batch-size", "10", "--monitor", "loss",
            "--reduce-lr-factor", "0.5", "--min-lr", "-1"},
            "--min-lr must be a finite number >= 0, got -1.0"));
  }

  @ParameterizedTest
  @MethodSource("badOptions")
  void badOptionGetsOneLineAndExitCodeTwo(String[] args, String expected) throws Exception {
    Path run = dir.resolve("run");
    Runs.Result r = Runs.run(Runs.withRunDir(args, run));
    Runs.assertRefused(r, expected, run);
  }
}
