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
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every built-in model trained end to end on a CSV file (issue 13): its final parameters match
 * an independent plain-loop gradient descent written here (relative 1e-12 for the convex models;
 * 1e-9 for the MLP, whose tanh layer amplifies the last-bit differences of another summation
 * order), and every logged step is bit-identical for 1, 3 and 8 workers.
 */
class ModelsTest {

  private static final int N = 300;
  private static final int F = 2;
  private static final int STEPS = 60;
  private static final double LR = 0.2;

  @TempDir
  Path dir;

  private static double[][] x;
  private static double[] regressionY;
  private static double[] binaryY;
  private static double[] classY;

  static {
    Random rnd = new Random(5);
    x = new double[N][F];
    regressionY = new double[N];
    binaryY = new double[N];
    classY = new double[N];
    for (int i = 0; i < N; i++) {
      x[i][0] = rnd.nextGaussian();
      x[i][1] = rnd.nextGaussian();
      double s = 1.5 * x[i][0] - 0.7 * x[i][1] + 0.3 + 0.5 * rnd.nextGaussian();
      regressionY[i] = s;
      binaryY[i] = s > 0 ? 1 : 0;
      classY[i] = s < -0.7 ? 0 : s < 0.7 ? 1 : 2;
    }
  }

  private Path csv(double[] y) throws Exception {
    StringBuilder b = new StringBuilder("a,b,y\n");
    for (int i = 0; i < N; i++) {
      b.append(x[i][0]).append(',').append(x[i][1]).append(',').append(y[i]).append('\n');
    }
    Path p = dir.resolve("data-" + Math.abs(java.util.Arrays.hashCode(y)) + ".csv");
    Files.writeString(p, b);
    return p;
  }

  /** Plain-loop full-batch gradient descent of one model: params by name, updated in place. */
  @FunctionalInterface
  private interface Reference {
    void step(java.util.Map<String, double[]> p, double[] y);
  }

  private static double sigmoid(double z) {
    return 1 / (1 + Math.exp(-z));
  }

  private static void linearStep(java.util.Map<String, double[]> p, double[] y) {
    double[] w = p.get("w");
    double[] gw = new double[F];
    double gb = 0;
    for (int i = 0; i < N; i++) {
      double e = x[i][0] * w[0] + x[i][1] * w[1] + p.get("b")[0] - y[i];
      gw[0] += 2 * e * x[i][0] / N;
      gw[1] += 2 * e * x[i][1] / N;
      gb += 2 * e / N;
    }
    w[0] -= LR * gw[0];
    w[1] -= LR * gw[1];
    p.get("b")[0] -= LR * gb;
  }

  private static void logisticStep(java.util.Map<String, double[]> p, double[] y) {
    double[] w = p.get("w");
    double[] gw = new double[F];
    double gb = 0;
    for (int i = 0; i < N; i++) {
      double e = sigmoid(x[i][0] * w[0] + x[i][1] * w[1] + p.get("b")[0]) - y[i];
      gw[0] += e * x[i][0] / N;
      gw[1] += e * x[i][1] / N;
      gb += e / N;
    }
    w[0] -= LR * gw[0];
    w[1] -= LR * gw[1];
    p.get("b")[0] -= LR * gb;
  }

  /** Softmax probabilities minus the one-hot label, for logits z. */
  private static double[] softmaxMinusLabel(double[] z, int label) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : z) {
      max = Math.max(max, v);
    }
    double sum = 0;
    double[] e = new double[z.length];
    for (int k = 0; k < z.length; k++) {
      e[k] = Math.exp(z[k] - max);
      sum += e[k];
    }
    for (int k = 0; k < z.length; k++) {
      e[k] = e[k] / sum - (k == label ? 1 : 0);
    }
    return e;
  }

  private static void softmaxStep(java.util.Map<String, double[]> p, double[] y) {
    int k = 3;
    double[] w = p.get("w"); // [F, K] row-major
    double[] b = p.get("b");
    double[] gw = new double[F * k];
    double[] gb = new double[k];
    for (int i = 0; i < N; i++) {
      double[] z = new double[k];
      for (int c = 0; c < k; c++) {
        z[c] = x[i][0] * w[c] + x[i][1] * w[k + c] + b[c];
      }
      double[] d = softmaxMinusLabel(z, (int) y[i]);
      for (int c = 0; c < k; c++) {
        gw[c] += x[i][0] * d[c] / N;
        gw[k + c] += x[i][1] * d[c] / N;
        gb[c] += d[c] / N;
      }
    }
    for (int j = 0; j < gw.length; j++) {
      w[j] -= LR * gw[j];
    }
    for (int c = 0; c < k; c++) {
      b[c] -= LR * gb[c];
    }
  }

  /** One tanh layer of {@code h} units and {@code out} outputs: backpropagation by hand. */
  private static void mlpStep(java.util.Map<String, double[]> p, double[] y, int h, int out) {
    double[] w1 = p.get("w1");
    double[] b1 = p.get("b1");
    double[] w2 = p.get("w2");
    double[] b2 = p.get("b2");
    double[] gw1 = new double[w1.length];
    double[] gb1 = new double[h];
    double[] gw2 = new double[w2.length];
    double[] gb2 = new double[out];
    for (int i = 0; i < N; i++) {
      double[] a = new double[h];
      for (int j = 0; j < h; j++) {
        a[j] = Math.tanh(x[i][0] * w1[j] + x[i][1] * w1[h + j] + b1[j]);
      }
      double[] z = new double[out];
      for (int c = 0; c < out; c++) {
        double s = b2[c];
        for (int j = 0; j < h; j++) {
          s += a[j] * w2[j * out + c];
        }
        z[c] = s;
      }
      double[] dz = out == 1 ? new double[] {2 * (z[0] - y[i])}
          : softmaxMinusLabel(z, (int) y[i]);
      for (int c = 0; c < out; c++) {
        dz[c] /= N;
        gb2[c] += dz[c];
        for (int j = 0; j < h; j++) {
          gw2[j * out + c] += a[j] * dz[c];
        }
      }
      for (int j = 0; j < h; j++) {
        double da = 0;
        for (int c = 0; c < out; c++) {
          da += dz[c] * w2[j * out + c];
        }
        double dpre = da * (1 - a[j] * a[j]);
        gb1[j] += dpre;
        gw1[j] += x[i][0] * dpre;
        gw1[h + j] += x[i][1] * dpre;
      }
    }
    for (int j = 0; j < w1.length; j++) {
      w1[j] -= LR * gw1[j];
    }
    for (int j = 0; j < h; j++) {
      b1[j] -= LR * gb1[j];
    }
    for (int j = 0; j < w2.length; j++) {
      w2[j] -= LR * gw2[j];
    }
    for (int c = 0; c < out; c++) {
      b2[c] -= LR * gb2[c];
    }
  }

  static Stream<Arguments> models() {
    return Stream.of(
        Arguments.of("linear", regressionY, List.of("--init-w", "0.5", "--init-b", "-1"),
            (Reference) ModelsTest::linearStep, 1e-12),
        Arguments.of("logistic", binaryY, List.of(), (Reference) ModelsTest::logisticStep, 1e-12),
        Arguments.of("softmax", classY, List.of(), (Reference) ModelsTest::softmaxStep, 1e-12),
        Arguments.of("mlp", regressionY, List.of("--hidden", "4"),
            (Reference) (p, y) -> mlpStep(p, y, 4, 1), 1e-9),
        Arguments.of("mlp", classY, List.of("--hidden", "4", "--classes", "3"),
            (Reference) (p, y) -> mlpStep(p, y, 4, 3), 1e-9));
  }

  /** Parameters by name, flattened row-major, from a run's {@code params} object. */
  private static java.util.Map<String, double[]> params(JsonNode node) {
    java.util.Map<String, double[]> out = new java.util.LinkedHashMap<>();
    node.fields().forEachRemaining(e -> {
      List<Double> values = new ArrayList<>();
      flatten(e.getValue(), values);
      out.put(e.getKey(), values.stream().mapToDouble(Double::doubleValue).toArray());
    });
    return out;
  }

  private static void flatten(JsonNode n, List<Double> out) {
    if (n.isArray()) {
      n.forEach(c -> flatten(c, out));
    } else {
      out.add(Json.number(n));
    }
  }

  @ParameterizedTest(name = "{0} {2}")
  @MethodSource("models")
  void trainsLikeAPlainLoopAndTheSameForAnyNumberOfWorkers(String model, double[] y,
      List<String> options, Reference reference, double tolerance) throws Exception {
    Path data = csv(y);
    List<String> base = new ArrayList<>(List.of("--model", model, "--data", data.toString(),
        "--features", "a,b", "--target", "y", "--steps", "" + STEPS, "--learning-rate", "" + LR,
        "--chunk-size", "16"));
    base.addAll(options);
    List<Runs.Step> first = null;
    for (int workers : new int[] {1, 3, 8}) {
      Path run = dir.resolve(model + "-" + workers + "-" + options.size());
      List<String> args = new ArrayList<>(base);
      args.addAll(List.of("--workers", "" + workers, "--run-dir", run.toString()));
      Runs.Result r = Runs.run(args.toArray(String[]::new));
      assertEquals(0, r.exitCode(), r.err());
      // Each logged loss, and the digest chained over every loss, parameter and gradient bit.
      List<Runs.Step> steps = new ArrayList<>();
      for (String line : Files.readAllLines(run.resolve("steps.jsonl"))) {
        JsonNode n = Json.MAPPER.readTree(line);
        steps.add(new Runs.Step(n.get("step").asLong(), Json.number(n.get("loss")),
            Double.longBitsToDouble(Long.parseUnsignedLong(n.get("digest").asText(), 16)), 0));
      }
      if (first == null) {
        first = steps;
        // The independent reference, from the same step-0 values.
        JsonNode config = Json.MAPPER.readTree(run.resolve("config.json").toFile());
        java.util.Map<String, double[]> p = model.equals("linear")
            ? new java.util.LinkedHashMap<>(java.util.Map.of("w", new double[] {0.5, 0.5},
                "b", new double[] {-1}))
            : params(config.get("initial_params"));
        for (int s = 0; s < STEPS; s++) {
          reference.step(p, y);
        }
        java.util.Map<String, double[]> trained =
            params(Runs.summary(run).get("params"));
        assertEquals(p.keySet(), trained.keySet());
        for (String name : p.keySet()) {
          double[] expected = p.get(name);
          double[] actual = trained.get(name);
          for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tolerance * Math.max(1, Math.abs(expected[i])),
                model + " " + name + "[" + i + "]");
          }
        }
      } else {
        assertEquals(first, steps, model + ": every logged loss and digest, bit for bit, with "
            + workers + " workers");
      }
    }
  }

  @Test
  void classifiersReportAccuracyOnTheConsole() throws Exception {
    Path data = csv(classY);
    Runs.Result r = Runs.run("--model", "softmax", "--data", data.toString(), "--features",
        "a,b", "--learning-rate", "0.5", "--steps", "60", "--run-dir",
        dir.resolve("run").toString());
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.outLines().get(1).matches("Loss at step 000: \\d\\.\\d{3}, accuracy 0\\.\\d{3}"),
        r.outLines().get(1));
    assertTrue(r.out().contains("w [2, 3]: norm "), r.out());
    double accuracy = Runs.summary(dir.resolve("run")).get("accuracy").asDouble();
    assertTrue(accuracy > 0.7 && accuracy <= 1, "accuracy " + accuracy);
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("resumable")
  void aResumedRunKeepsEveryBit(String model, List<String> options, double[] y) throws Exception {
    Path data = csv(y);
    String[] job = Stream.concat(Stream.of("--model", model, "--data", data.toString(),
        "--features", "a,b", "--learning-rate", "0.2", "--checkpoint-every", "20"),
        options.stream()).toArray(String[]::new);
    Path whole = dir.resolve("whole");
    Runs.Result r = Runs.run(concat(job, "--steps", "60", "--run-dir", whole.toString()));
    assertEquals(0, r.exitCode(), r.err());
    Path part = dir.resolve("part");
    assertEquals(0, Runs.run(concat(job, "--steps", "40", "--run-dir", part.toString()))
        .exitCode());
    Runs.Result resumed = Runs.run("--resume", part.toString(), "--steps", "60", "--workers", "2");
    assertEquals(0, resumed.exitCode(), resumed.err());
    assertEquals(Files.readAllLines(whole.resolve("steps.jsonl")).stream()
            .map(ModelsTest::numbers).toList(),
        Files.readAllLines(part.resolve("steps.jsonl")).stream().map(ModelsTest::numbers)
            .toList());
    assertEquals(Runs.summary(whole).get("params"), Runs.summary(part).get("params"));
  }

  static Stream<Arguments> resumable() {
    return Stream.of(
        Arguments.of("linear", List.of(), regressionY),
        Arguments.of("logistic", List.of(), binaryY),
        Arguments.of("softmax", List.of(), classY),
        Arguments.of("mlp", List.of("--hidden", "4"), regressionY),
        Arguments.of("mlp", List.of("--hidden", "4", "--classes", "3"), classY));
  }

  /** A steps.jsonl line without its timings and worker table. */
  private static String numbers(String line) {
    return line.replaceAll(",\"step_ms\":.*", "");
  }

  static Stream<Arguments> badModelInput() {
    return Stream.of(
        Arguments.of(List.of("--model", "forest"),
            "--model: unknown model 'forest' (available: linear, logistic, softmax, mlp"),
        Arguments.of(List.of("--model", "mlp", "--hidden", "0"), "--hidden must be at least 1"),
        Arguments.of(List.of("--model", "logistic", "--init-w", "1"),
            "--init-w does not apply to --model logistic"),
        Arguments.of(List.of("--classes", "3"), "--classes does not apply to --model linear"),
        Arguments.of(List.of("--model", "softmax", "--classes", "1"),
            "--classes must be at least 2, got 1"),
        Arguments.of(List.of("--model", "logistic", "--hidden", "8"),
            "--hidden does not apply to --model logistic"),
        Arguments.of(List.of("--model", "test-broken"), "--model test-broken failed while it "
            + "was built: java.lang.IllegalStateException: weights file missing"));
  }

  @ParameterizedTest
  @MethodSource("badModelInput")
  void badModelChoicesGetOneLineExitTwoAndNoRun(List<String> args, String expected) {
    Path run = dir.resolve("run");
    List<String> all = new ArrayList<>(args);
    all.addAll(List.of("--run-dir", run.toString()));
    Runs.Result r = Runs.run(all.toArray(String[]::new));
    assertEquals(2, r.exitCode(), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().contains(expected), r.err());
    assertFalse(Files.exists(run));
  }

  @Test
  void labelsAClassifierCannotLearnAreRefusedWithFileAndLine() throws Exception {
    Path half = dir.resolve("half.csv");
    Files.writeString(half, "a,b,y\n1,2,0\n3,4,0.5\n");
    Runs.Result r = Runs.run("--model", "logistic", "--data", half.toString(), "--features",
        "a,b", "--run-dir", dir.resolve("r1").toString());
    assertEquals(2, r.exitCode());
    assertEquals("local-runner: " + half + ":3: column 'y': label 0.5 is not a class 0 or 1\n",
        r.err());
    Path three = dir.resolve("three.csv");
    Files.writeString(three, "a,b,y\n1,2,0\n3,4,2\n");
    Runs.Result below = Runs.run("--model", "mlp", "--classes", "2", "--data", three.toString(),
        "--features", "a,b", "--run-dir", dir.resolve("r2").toString());
    assertEquals(2, below.exitCode());
    assertEquals("local-runner: " + three + ":3: column 'y': label 2.0 is not a class 0 or 1\n",
        below.err());
    Runs.Result binary = Runs.run("--model", "logistic", "--data", three.toString(),
        "--features", "a,b", "--run-dir", dir.resolve("r3").toString());
    assertEquals(2, binary.exitCode());
    assertFalse(Files.exists(dir.resolve("r1")) || Files.exists(dir.resolve("r2"))
        || Files.exists(dir.resolve("r3")));
  }

  private static String[] concat(String[] a, String... b) {
    return Stream.concat(Stream.of(a), Stream.of(b)).toArray(String[]::new);
  }
}
