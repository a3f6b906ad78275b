package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapetrain.coordinator.StepsPlan;
import dev.tapetrain.coordinator.run.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Optimizers, several features, L2, mini-batches and early stopping, each against an independent
 * plain-loop implementation of tf.keras' rules on a 3-feature CSV file, and each bit-identical
 * for 1 and 4 workers.
 */
class TrainingOptionsTest {

  /** Relative tolerance: the loop sums samples in another order than chunk by chunk. */
  private static final double REL_TOL = 1e-12;
  private static final int N = 401;
  private static final int F = 3;
  private static final int CHUNK = 37;
  private static final int STEPS = 150;

  @TempDir
  Path dir;

  private final double[][] x = new double[N][F];
  private final double[] y = new double[N];
  private Path csv;

  @BeforeEach
  void writeData() throws Exception {
    Random rnd = new Random(8);
    StringBuilder text = new StringBuilder("id,a,b,c,target\n");
    for (int i = 0; i < N; i++) {
      x[i][0] = rnd.nextGaussian();
      x[i][1] = rnd.nextGaussian() * 2;
      x[i][2] = rnd.nextGaussian() * 0.5;
      y[i] = 1.5 * x[i][0] - 0.7 * x[i][1] + 2.5 * x[i][2] + 0.3 + rnd.nextGaussian() * 0.2;
      text.append(i).append(',').append(x[i][0]).append(',').append(x[i][1]).append(',')
          .append(x[i][2]).append(',').append(y[i]).append('\n');
    }
    csv = dir.resolve("three.csv");
    Files.writeString(csv, text);
  }

  /** The plain loop: tf.keras' update rules written out, one parameter vector (W…, B). */
  private static final class Reference {
    final String optimizer;
    final double lr;
    final double l2;
    final double[] p = {5, 5, 5, 10};
    final double[] m = new double[F + 1];
    final double[] v = new double[F + 1];
    long t;

    Reference(String optimizer, double lr, double l2) {
      this.optimizer = optimizer;
      this.lr = lr;
      this.l2 = l2;
    }

    /** Mean loss (with the penalty) and gradient over {@code rows}. */
    double[] lossAndGrad(double[][] x, double[] y, List<Integer> rows) {
      double[] g = new double[F + 2];
      for (int i : rows) {
        double e = p[F] - y[i];
        for (int j = 0; j < F; j++) {
          e += p[j] * x[i][j];
        }
        g[F + 1] += e * e;
        for (int j = 0; j < F; j++) {
          g[j] += 2 * e * x[i][j];
        }
        g[F] += 2 * e;
      }
      for (int j = 0; j <= F + 1; j++) {
        g[j] /= rows.size();
      }
      for (int j = 0; j < F; j++) {
        g[F + 1] += l2 * p[j] * p[j];
        g[j] += 2 * l2 * p[j];
      }
      return g;
    }

    void update(double[] g) {
      t++;
      for (int j = 0; j <= F; j++) {
        switch (optimizer) {
          case "sgd" -> p[j] -= g[j] * lr;
          case "momentum", "nesterov" -> {
            m[j] = 0.9 * m[j] - lr * g[j];
            p[j] = optimizer.equals("nesterov") ? p[j] + 0.9 * m[j] - lr * g[j] : p[j] + m[j];
          }
          case "adam" -> {
            double alpha = lr * Math.sqrt(1 - Math.pow(0.999, t)) / (1 - Math.pow(0.9, t));
            m[j] += (g[j] - m[j]) * (1 - 0.9);
            v[j] += (g[j] * g[j] - v[j]) * (1 - 0.999);
            p[j] -= m[j] * alpha / (Math.sqrt(v[j]) + 1e-7);
          }
          default -> throw new AssertionError(optimizer);
        }
      }
    }
  }

  private List<Integer> rowsOf(List<Integer> chunks) {
    List<Integer> rows = new ArrayList<>();
    for (int c : chunks) {
      for (int i = c * CHUNK; i < Math.min(N, (c + 1) * CHUNK); i++) {
        rows.add(i);
      }
    }
    return rows;
  }

  private List<JsonNode> train(String name, int workers, String... options) throws Exception {
    Path run = dir.resolve(name + "-" + workers);
    String[] args = Stream.concat(Stream.of("--data", csv.toString(), "--features", "a,b,c",
        "--target", "target", "--chunk-size", "" + CHUNK, "--steps", "" + STEPS, "--workers",
        "" + workers, "--run-dir", run.toString()), Stream.of(options)).toArray(String[]::new);
    Runs.Result r = Runs.run(args);
    assertEquals(0, r.exitCode(), r.err());
    List<JsonNode> lines = new ArrayList<>();
    for (String line : Files.readAllLines(run.resolve("steps.jsonl"))) {
      lines.add(Json.MAPPER.readTree(line));
    }
    return lines;
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("sgd", 0.05, 0.0, 1.0, new String[] {}),
        Arguments.of("momentum", 0.02, 0.0, 1.0, new String[] {"--optimizer", "momentum"}),
        Arguments.of("nesterov", 0.02, 0.0, 1.0,
            new String[] {"--optimizer", "momentum", "--nesterov"}),
        Arguments.of("adam", 0.1, 0.0, 1.0, new String[] {"--optimizer", "adam"}),
        Arguments.of("sgd", 0.05, 0.3, 1.0, new String[] {"--l2", "0.3"}),
        Arguments.of("sgd", 0.05, 0.0, 0.4, new String[] {"--batch-fraction", "0.4"}));
  }

  @ParameterizedTest(name = "{0} lr={1} l2={2} batch={3}")
  @MethodSource("cases")
  void matchesThePlainLoopAndIsBitIdenticalAcrossWorkerCounts(String optimizer, double lr,
      double l2, double batch, String[] options) throws Exception {
    String[] all = Stream.concat(Stream.of("--learning-rate", "" + lr), Stream.of(options))
        .toArray(String[]::new);
    List<JsonNode> one = train(optimizer, 1, all);
    List<JsonNode> four = train(optimizer, 4, all);
    assertEquals(STEPS, one.size());
    for (int s = 0; s < STEPS; s++) {
      assertEquals(one.get(s).get("loss"), four.get(s).get("loss"), "bits at step " + s);
      assertEquals(one.get(s).get("w"), four.get(s).get("w"), "bits at step " + s);
      assertEquals(one.get(s).get("b"), four.get(s).get("b"), "bits at step " + s);
    }
    // The chunks of each round, as the run's plan chose them.
    StepsPlan batches = new StepsPlan(STEPS, 0, batch, 42, (N + CHUNK - 1) / CHUNK, 0);
    Reference ref = new Reference(optimizer, lr, l2);
    for (int s = 0; s < STEPS; s++) {
      ref.update(ref.lossAndGrad(x, y, rowsOf(batches.round(s).chunks())));
      // "Loss at step s" is the loss after update s, on the batch of the next round.
      double loss = ref.lossAndGrad(x, y, rowsOf(batches.round(s + 1).chunks()))[F + 1];
      JsonNode line = one.get(s);
      double[] w = Json.doubles(line.get("w"));
      assertEquals(F, w.length, "W is a vector of " + F);
      for (int j = 0; j < F; j++) {
        assertEquals(ref.p[j], w[j], REL_TOL * Math.abs(ref.p[j]), "w[" + j + "] at step " + s);
      }
      assertEquals(ref.p[F], line.get("b").asDouble(), REL_TOL * Math.abs(ref.p[F]),
          "b at step " + s);
      assertEquals(loss, line.get("loss").asDouble(), REL_TOL * loss, "loss at step " + s);
    }
  }

  @Test
  void severalSyntheticFeaturesRecoverTheTrueWeights() throws Exception {
    Path run = dir.resolve("synthetic");
    Runs.Result r = Runs.run("--true-w", "1.5,-0.7,2.5", "--true-b", "0.3", "--examples", "5000",
        "--steps", "300", "--learning-rate", "0.1", "--log-every", "100", "--run-dir",
        run.toString());
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().contains("W = ["), r.out());
    JsonNode summary = Runs.summary(run);
    double[] w = Json.doubles(summary.get("w"));
    // Least squares with 5000 samples and unit noise: standard errors ≈ 1/√5000 ≈ 0.014.
    assertEquals(1.5, w[0], 0.07);
    assertEquals(-0.7, w[1], 0.07);
    assertEquals(2.5, w[2], 0.07);
    assertEquals(0.3, summary.get("b").asDouble(), 0.07);
  }

  @Test
  void toleranceStopsAtTheFirstStepThatMovesLessThanIt() throws Exception {
    Path run = dir.resolve("tolerance");
    Runs.Result r = Runs.run("--steps", "5000", "--tolerance", "1e-4", "--run-dir",
        run.toString());
    assertEquals(0, r.exitCode(), r.err());
    JsonNode summary = Runs.summary(run);
    assertEquals("converged", summary.get("status").asText());
    List<Runs.Step> steps = Runs.steps(run);
    int n = steps.size();
    assertTrue(n < 5000, "stopped early: " + n);
    assertTrue(relativeChange(steps.get(n - 2), steps.get(n - 1)) < 1e-4);
    assertTrue(relativeChange(steps.get(n - 3), steps.get(n - 2)) >= 1e-4);
  }

  private static double relativeChange(Runs.Step before, Runs.Step after) {
    double dw = after.w() - before.w();
    double db = after.b() - before.b();
    return Math.sqrt((dw * dw + db * db) / (before.w() * before.w() + before.b() * before.b()));
  }
}
