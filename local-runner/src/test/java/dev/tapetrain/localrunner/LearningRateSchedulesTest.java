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
import java.util.function.LongToDoubleFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Learning-rate schedules (issue 26 item 3): a plain loop that applies Keras' schedule formulas
 * (written here from Keras' documentation, not from tapetrain's code) with SGD and with Adam
 * reaches the run's parameters to 1e-12 relative, full-batch and in mini-batches; every step
 * logs its update's rate; the rates are a function of the update number, so a resumed run on
 * another worker count keeps every bit; bad options are one line each.
 */
class LearningRateSchedulesTest {

  private static final int N = 203;

  @TempDir
  Path dir;

  private static final NoisyLine DATA = NoisyLine.of(N, 7);
  private static final double[] X = DATA.x();
  private static final double[] Y = DATA.y();

  private Path csv() throws Exception {
    return DATA.csv(dir);
  }

  // ---- Keras' schedules, k = optimizer.iterations before the update ----

  /** CosineDecay(initial 0, decay_steps, alpha, warmup_target lr, warmup_steps). */
  private static LongToDoubleFunction cosine(double lr, long decay, double minLr, long warmup) {
    return k -> {
      if (k < warmup) {
        return lr * ((double) k / warmup);
      }
      double alpha = minLr / lr;
      double step = Math.min(k - warmup, decay);
      return lr * ((1 - alpha) * (0.5 * (1 + Math.cos(Math.PI * step / decay))) + alpha);
    };
  }

  /** ExponentialDecay(lr, decay_steps, decay_rate, staircase=False). */
  private static LongToDoubleFunction exponential(double lr, double rate, long decay) {
    return k -> lr * Math.pow(rate, (double) k / decay);
  }

  /** PiecewiseConstantDecay(boundaries, values). */
  private static LongToDoubleFunction piecewise(long[] boundaries, double[] values) {
    return k -> {
      for (int i = 0; i < boundaries.length; i++) {
        if (k <= boundaries[i]) {
          return values[i];
        }
      }
      return values[values.length - 1];
    };
  }

  /**
   * Linear regression on mean((x·w + b − y)²) from w = b = 0 in {@code updates} updates over
   * batches of {@code batch} samples in file order (N: full batch), with SGD or Keras' Adam at
   * {@code rate(k)}.
   */
  private static double[] plainLoop(String optimizer, LongToDoubleFunction rate, long updates,
      int batch) {
    double[] p = {0, 0};
    double[] m = {0, 0};
    double[] v = {0, 0};
    int perEpoch = (N + batch - 1) / batch;
    for (long k = 0; k < updates; k++) {
      int from = (int) (k % perEpoch) * batch;
      int n = Math.min(batch, N - from);
      double[] g = {0, 0};
      for (int i = from; i < from + n; i++) {
        double err = X[i] * p[0] + p[1] - Y[i];
        g[0] += 2 * err * X[i];
        g[1] += 2 * err;
      }
      double lr = rate.applyAsDouble(k);
      for (int j = 0; j < 2; j++) {
        g[j] /= n;
        if (optimizer.equals("sgd")) {
          p[j] -= lr * g[j];
        } else {
          long t = k + 1;
          m[j] = 0.9 * m[j] + 0.1 * g[j];
          v[j] = 0.999 * v[j] + 0.001 * g[j] * g[j];
          double alpha = lr * Math.sqrt(1 - Math.pow(0.999, t)) / (1 - Math.pow(0.9, t));
          p[j] -= alpha * m[j] / (Math.sqrt(v[j]) + 1e-7);
        }
      }
    }
    return p;
  }

  private String[] job(Path data, String... more) {
    List<String> args = new ArrayList<>(List.of("--data", data.toString(), "--features", "x",
        "--target", "y", "--chunk-size", "16", "--init-w", "0", "--init-b", "0"));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  static Stream<Arguments> schedules() {
    return Stream.of(
        Arguments.of("sgd", 40, N, cosine(0.1, 30, 0.01, 5), new String[] {"--steps", "40",
            "--learning-rate", "0.1", "--lr-schedule", "cosine", "--lr-decay-steps", "30",
            "--lr-min", "0.01", "--warmup-steps", "5"}),
        Arguments.of("adam", 40, N, cosine(0.3, 30, 0, 5), new String[] {"--steps", "40",
            "--optimizer", "adam", "--learning-rate", "0.3", "--lr-schedule", "cosine",
            "--lr-decay-steps", "30", "--warmup-steps", "5"}),
        Arguments.of("adam", 40, N, exponential(0.5, 0.3, 10), new String[] {"--steps", "40",
            "--optimizer", "adam", "--learning-rate", "0.5", "--lr-schedule", "exponential",
            "--lr-decay-rate", "0.3", "--lr-decay-steps", "10"}),
        Arguments.of("sgd", 21, 32, piecewise(new long[] {6, 13}, new double[] {0.1, 0.03,
            0.01}), new String[] {"--batch-size", "32", "--epochs", "3", "--no-shuffle",
            "--lr-schedule", "step", "--lr-boundaries", "6,13", "--lr-values", "0.1,0.03,0.01"}),
        Arguments.of("adam", 21, 32, exponential(0.2, 0.5, 7), new String[] {"--batch-size",
            "32", "--epochs", "3", "--no-shuffle", "--optimizer", "adam", "--learning-rate",
            "0.2", "--lr-schedule", "exponential", "--lr-decay-rate", "0.5", "--lr-decay-steps",
            "7"}));
  }

  @ParameterizedTest
  @MethodSource("schedules")
  void aPlainLoopWithKerasFormulasReachesTheSameParameters(String optimizer, int updates,
      int batch, LongToDoubleFunction rate, String[] options) throws Exception {
    Path run = dir.resolve("run");
    List<String> args = new ArrayList<>(List.of(job(csv(), options)));
    args.addAll(List.of("--run-dir", run.toString()));
    Runs.Result r = Runs.run(args.toArray(String[]::new));
    assertEquals(0, r.exitCode(), r.err());
    double[] p = plainLoop(optimizer, rate, updates, batch);
    JsonNode summary = Runs.summary(run);
    assertEquals(updates, summary.get("steps").asLong());
    assertEquals(p[0], summary.get("w").asDouble(), 1e-12 * Math.abs(p[0]), "w");
    assertEquals(p[1], summary.get("b").asDouble(), 1e-12 * Math.abs(p[1]), "b");
    List<String> lines = Files.readAllLines(run.resolve("steps.jsonl"));
    assertEquals(updates, lines.size());
    double peak = 0;
    for (long k = 0; k < updates; k++) {
      peak = Math.max(peak, rate.applyAsDouble(k));
    }
    for (String line : lines) {
      JsonNode n = Json.MAPPER.readTree(line);
      long k = n.get("step").asLong();
      // 1e-15 of the peak rate: Math.cos and Math.pow here may be an ulp from tapetrain's
      // StrictMath, and 1 + cos near −1 makes that ulp large relative to a small rate.
      assertEquals(rate.applyAsDouble(k), n.get("learning_rate").asDouble(), 1e-15 * peak,
          "learning_rate of step " + k);
    }
    JsonNode options2 = Json.MAPPER.readTree(run.resolve("config.json").toFile()).get("options");
    assertTrue(options2.has("lr_schedule"), options2.toString());
  }

  @Test
  void aResumedRunOnOtherWorkersKeepsEveryBitOfTheSchedule() throws Exception {
    Path data = csv();
    String[] schedule = {"--optimizer", "adam", "--learning-rate", "0.3", "--lr-schedule",
        "cosine", "--lr-decay-steps", "20", "--lr-min", "0.001", "--warmup-steps", "4",
        "--checkpoint-every", "5"};
    Path whole = dir.resolve("whole");
    assertEquals(0, Runs.run(Stream.concat(Stream.of(job(data, schedule)), Stream.of(
        "--steps", "30", "--run-dir", whole.toString())).toArray(String[]::new)).exitCode());
    Path part = dir.resolve("part");
    assertEquals(0, Runs.run(Stream.concat(Stream.of(job(data, schedule)), Stream.of(
        "--steps", "12", "--run-dir", part.toString())).toArray(String[]::new)).exitCode());
    Runs.Result resumed = Runs.run("--resume", part.toString(), "--steps", "30", "--workers",
        "3");
    assertEquals(0, resumed.exitCode(), resumed.err());
    assertEquals(Files.readAllLines(whole.resolve("steps.jsonl")).stream()
        .map(LearningRateSchedulesTest::numbers).toList(),
        Files.readAllLines(part.resolve("steps.jsonl")).stream()
        .map(LearningRateSchedulesTest::numbers).toList(), "every step's numbers, bit for bit");
    Runs.Result changed = Runs.run("--resume", part.toString(), "--steps", "40",
        "--lr-decay-steps", "25");
    assertEquals(2, changed.exitCode());
    assertTrue(changed.err().contains("--lr-decay-steps cannot change in a resumed run"),
        changed.err());
  }

  /** A step line's numbers: everything but its timing and workers. */
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
        Arguments.of(new String[] {"--lr-schedule", "linear"},
            "--lr-schedule must be one of constant, step, exponential, cosine, got linear"),
        Arguments.of(new String[] {"--lr-schedule", "step", "--lr-boundaries", "10,20",
            "--lr-values", "0.1,0.01"},
            "--lr-values must have one more value than --lr-boundaries, got 2 values and 2 "
                + "boundaries"),
        Arguments.of(new String[] {"--lr-schedule", "step", "--lr-boundaries", "20,10",
            "--lr-values", "0.1,0.05,0.01"},
            "--lr-boundaries must be strictly increasing update numbers >= 0, got [20, 10]"),
        Arguments.of(new String[] {"--lr-schedule", "step", "--lr-values", "0.1"},
            "--lr-schedule step needs --lr-boundaries"),
        Arguments.of(new String[] {"--lr-schedule", "step", "--lr-boundaries", "10",
            "--lr-values", "0.1,0.01", "--learning-rate", "0.5"},
            "--learning-rate cannot be used with --lr-schedule step"),
        Arguments.of(new String[] {"--lr-boundaries", "10"},
            "--lr-boundaries needs --lr-schedule step"),
        Arguments.of(new String[] {"--lr-decay-steps", "10"},
            "--lr-decay-steps needs --lr-schedule exponential or cosine"),
        Arguments.of(new String[] {"--lr-schedule", "cosine", "--lr-decay-rate", "0.5",
            "--lr-decay-steps", "10"}, "--lr-decay-rate needs --lr-schedule exponential"),
        Arguments.of(new String[] {"--lr-min", "0.001"}, "--lr-min needs --lr-schedule cosine"),
        Arguments.of(new String[] {"--lr-schedule", "exponential", "--lr-decay-steps", "10"},
            "--lr-schedule exponential needs --lr-decay-rate"),
        Arguments.of(new String[] {"--lr-schedule", "cosine"},
            "--lr-schedule cosine needs --lr-decay-steps"),
        Arguments.of(new String[] {"--lr-schedule", "cosine", "--lr-decay-steps", "0"},
            "--lr-decay-steps must be at least 1, got 0"),
        Arguments.of(new String[] {"--lr-schedule", "cosine", "--lr-decay-steps", "10",
            "--lr-min", "0.01"}, "--lr-min must be below --learning-rate 0.01, got 0.01"),
        Arguments.of(new String[] {"--lr-schedule", "exponential", "--lr-decay-steps", "10",
            "--lr-decay-rate", "-1"}, "--lr-decay-rate must be a finite number > 0, got -1.0"),
        Arguments.of(new String[] {"--optimizer", "clipped-sgd", "--lr-schedule", "cosine",
            "--lr-decay-steps", "10"}, "--optimizer clipped-sgd cannot follow a learning-rate "
            + "schedule or --reduce-lr-factor"),
        Arguments.of(new String[] {"--warmup-steps", "-1"},
            "--warmup-steps must be 0 or more, got -1"));
  }

  @ParameterizedTest
  @MethodSource("badOptions")
  void badOptionGetsOneLineAndExitCodeTwo(String[] args, String expected) throws Exception {
    Path run = dir.resolve("run");
    String[] all = Stream.concat(Stream.of(args), Stream.of("--examples", "100", "--run-dir",
        run.toString())).toArray(String[]::new);
    Runs.Result r = Runs.run(all);
    assertEquals(2, r.exitCode(), r.err());
    assertEquals(1, r.err().lines().count(), "one line: " + r.err());
    assertTrue(r.err().contains(expected), r.err());
    assertFalse(r.err().contains("Exception"), r.err());
    assertFalse(Files.exists(run), "no run directory for a run that never started");
  }
}
