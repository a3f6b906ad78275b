package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.tapetrain.localrunner.trained.TrainedModel;
import dev.tapetrain.protocol.NamedTensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code export --onnx} and {@code predict} (issues 16 and 29) on runs of every built-in model
 * and of a user's own ({@code HuberRegression}, the README's), trained here on small CSV files.
 * Three independent views must agree on held-out rows: a plain loop over the checkpoint's
 * parameters written in this test (relative 1e-12), tapetrain's own forward pass
 * ({@code predict}), and ONNX Runtime executing the exported file, which holds the model's traced
 * prediction (float64: relative 1e-12 of the terms' magnitude, labels equal; float32: 1e-4).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExportPredictTest {

  private static final int F = 3;
  private static final int TRAIN = 400;
  private static final int HELD_OUT = 257;

  private Path dir;

  private double[][] trainX;
  private double[][] heldX;
  private final Map<String, Path> runs = new java.util.LinkedHashMap<>();

  /** The runs: name → command-line options that choose the model and the target kind. */
  private static final Map<String, List<String>> MODELS = Map.of(
      "linear", List.of("--model", "linear", "--init-w", "0", "--init-b", "0"),
      "logistic", List.of("--model", "logistic"),
      "softmax", List.of("--model", "softmax", "--classes", "3"),
      "mlp", List.of("--model", "mlp", "--hidden", "5"),
      "mlp-classes", List.of("--model", "mlp", "--hidden", "4", "--classes", "3"),
      "huber", List.of("--model", "huber", "--set", "delta=0.5"));

  @BeforeAll
  void train(@TempDir Path tmp) throws Exception {
    dir = tmp;
    Random rnd = new Random(11);
    trainX = rows(rnd, TRAIN);
    heldX = rows(rnd, HELD_OUT);
    for (var e : MODELS.entrySet()) {
      Path csv = dir.resolve(e.getKey() + ".csv");
      Files.writeString(csv, csv(trainX, targets(e.getKey(), trainX)));
      Path run = dir.resolve("run-" + e.getKey());
      List<String> args = new ArrayList<>(List.of("--data", csv.toString(), "--features",
          "a,b,c", "--target", "t", "--steps", "40", "--learning-rate", "0.1", "--workers", "2",
          "--log-every", "40", "--run-dir", run.toString()));
      args.addAll(e.getValue());
      Runs.Result r = Runs.run(args.toArray(String[]::new));
      assertEquals(0, r.exitCode(), r.err());
      runs.put(e.getKey(), run);
    }
  }

  private static double[][] rows(Random rnd, int n) {
    double[][] x = new double[n][F];
    for (double[] row : x) {
      for (int f = 0; f < F; f++) {
        row[f] = rnd.nextGaussian() * (f + 1);
      }
    }
    return x;
  }

  private static double[] targets(String model, double[][] x) {
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      double s = 0.8 * x[i][0] - 0.5 * x[i][1] + 0.2 * x[i][2] + 0.1;
      y[i] = switch (model) {
        case "logistic" -> s > 0 ? 1 : 0;
        case "softmax", "mlp-classes" -> s < -0.8 ? 0 : s < 0.8 ? 1 : 2;
        default -> s;
      };
    }
    return y;
  }

  private static String csv(double[][] x, double[] y) {
    StringBuilder b = new StringBuilder("a,b,c" + (y != null ? ",t" : "") + "\n");
    for (int i = 0; i < x.length; i++) {
      b.append(x[i][0]).append(',').append(x[i][1]).append(',').append(x[i][2]);
      if (y != null) {
        b.append(',').append(y[i]);
      }
      b.append('\n');
    }
    return b.toString();
  }

  /** Plain-loop forward pass from the checkpoint's values: predictions or probabilities. */
  private static double[][] reference(String model, TrainedModel t, double[][] x) {
    double[][] out = new double[x.length][];
    for (int i = 0; i < x.length; i++) {
      double[] row = x[i];
      out[i] = switch (model) {
        case "linear", "huber" -> new double[] {dot(row, v(t, "w"), 0, 1) + v(t, "b")[0]};
        case "logistic" -> {
          double p = 1 / (1 + Math.exp(-(dot(row, v(t, "w"), 0, 1) + v(t, "b")[0])));
          yield new double[] {1 - p, p};
        }
        case "softmax" -> softmax(affine(row, v(t, "w"), v(t, "b")));
        default -> {
          double[] h = affine(row, v(t, "w1"), v(t, "b1"));
          for (int j = 0; j < h.length; j++) {
            h[j] = Math.tanh(h[j]);
          }
          double[] z = affine(h, v(t, "w2"), v(t, "b2"));
          yield model.equals("mlp") ? z : softmax(z);
        }
      };
    }
    return out;
  }

  private static double[] v(TrainedModel t, String name) {
    return NamedTensor.find(t.params(), name).values();
  }

  private static double dot(double[] x, double[] w, int offset, int stride) {
    double s = 0;
    for (int f = 0; f < x.length; f++) {
      s += x[f] * w[offset + f * stride];
    }
    return s;
  }

  private static double[] affine(double[] x, double[] w, double[] b) {
    double[] z = new double[b.length];
    for (int k = 0; k < b.length; k++) {
      z[k] = dot(x, w, k, b.length) + b[k];
    }
    return z;
  }

  private static double[] softmax(double[] z) {
    double max = Arrays.stream(z).max().orElseThrow();
    double[] e = new double[z.length];
    double sum = 0;
    for (int k = 0; k < z.length; k++) {
      e[k] = Math.exp(z[k] - max);
      sum += e[k];
    }
    for (int k = 0; k < z.length; k++) {
      e[k] /= sum;
    }
    return e;
  }

  private static int argmax(double[] p) {
    if (p.length == 2) {
      return p[1] > 0.5 ? 1 : 0;
    }
    int best = 0;
    for (int k = 1; k < p.length; k++) {
      if (p[k] > p[best]) {
        best = k;
      }
    }
    return best;
  }

  private static void close(double expected, double actual, double relative, String what) {
    double scale = Math.max(1, Math.abs(expected));
    assertTrue(Math.abs(expected - actual) <= relative * scale,
        what + ": expected " + expected + ", got " + actual);
  }

  private static double[] flat(double[][] x) {
    double[] out = new double[x.length * F];
    for (int i = 0; i < x.length; i++) {
      System.arraycopy(x[i], 0, out, i * F, F);
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"linear", "logistic", "softmax", "mlp", "mlp-classes", "huber"})
  void onnxRuntimeAgreesWithOurForwardPassAndAPlainLoop(String model) throws Exception {
    TrainedModel trained = TrainedModel.load(runs.get(model));
    double[][] expected = reference(model, trained, heldX);
    TrainedModel.Scores ours = trained.score(flat(heldX), HELD_OUT);
    int k = ours.classes();
    for (int i = 0; i < HELD_OUT; i++) {
      for (int j = 0; j < expected[i].length; j++) {
        close(expected[i][j], ours.values()[i * expected[i].length + j], 1e-12,
            model + " row " + i + " output " + j + " (our forward pass vs a plain loop)");
      }
      if (k > 0) {
        assertEquals(argmax(expected[i]), ours.labels()[i], model + " label of row " + i);
      }
    }
    for (String dtype : List.of("float64", "float32")) {
      Path onnx = dir.resolve(model + "-" + dtype + ".onnx");
      Runs.Result r = Runs.run("export", runs.get(model).toString(), "--onnx", onnx.toString(),
          "--dtype", dtype);
      assertEquals(0, r.exitCode(), r.err());
      double tolerance = dtype.equals("float64") ? 1e-12 : 1e-4;
      OrtEnvironment env = OrtEnvironment.getEnvironment();
      try (OrtSession session = env.createSession(onnx.toString(), new OrtSession.SessionOptions());
          OnnxTensor input = dtype.equals("float64") ? OnnxTensor.createTensor(env, heldX)
              : OnnxTensor.createTensor(env, toFloat(heldX));
          OrtSession.Result result = session.run(Map.of("x", input))) {
        if (k == 0) {
          double[] y = doubles(result.get("y").orElseThrow().getValue());
          assertEquals(HELD_OUT, y.length);
          for (int i = 0; i < HELD_OUT; i++) {
            close(ours.values()[i], y[i], tolerance, model + " " + dtype + " y of row " + i);
          }
        } else {
          Object probs = result.get("probabilities").orElseThrow().getValue();
          long[] labels = (long[]) result.get("label").orElseThrow().getValue();
          for (int i = 0; i < HELD_OUT; i++) {
            double[] p = doubles(java.lang.reflect.Array.get(probs, i));
            assertEquals(k, p.length);
            for (int j = 0; j < k; j++) {
              close(ours.values()[i * k + j], p[j], tolerance,
                  model + " " + dtype + " probability " + j + " of row " + i);
            }
            if (dtype.equals("float64")) {
              assertEquals(ours.labels()[i], labels[i], model + " label of row " + i);
            }
          }
        }
      }
    }
  }

  private static float[][] toFloat(double[][] x) {
    float[][] f = new float[x.length][F];
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < F; j++) {
        f[i][j] = (float) x[i][j];
      }
    }
    return f;
  }

  private static double[] doubles(Object array) {
    if (array instanceof double[] d) {
      return d;
    }
    float[] f = (float[]) array;
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  @Test
  void predictWritesOneRowPerInputRowAndEvaluatesAgainstThePlainLoop() throws Exception {
    String model = "softmax";
    TrainedModel trained = TrainedModel.load(runs.get(model));
    double[] y = targets(model, heldX);
    Path data = dir.resolve("held.csv");
    Files.writeString(data, csv(heldX, y));
    Path out = dir.resolve("preds.csv");
    Runs.Result r = Runs.run("predict", runs.get(model).toString(), "--data", data.toString(),
        "--out", out.toString());
    assertEquals(0, r.exitCode(), r.err());
    List<String> lines = Files.readAllLines(out);
    assertEquals("label,probability_0,probability_1,probability_2", lines.get(0));
    assertEquals(HELD_OUT + 1, lines.size());
    double[][] expected = reference(model, trained, heldX);
    long[][] confusion = new long[3][3];
    double loss = 0;
    for (int i = 0; i < HELD_OUT; i++) {
      String[] cells = lines.get(i + 1).split(",");
      int label = argmax(expected[i]);
      assertEquals(label, Integer.parseInt(cells[0]), "label of row " + i);
      for (int j = 0; j < 3; j++) {
        close(expected[i][j], Double.parseDouble(cells[1 + j]), 1e-12, "row " + i);
      }
      confusion[(int) y[i]][label]++;
      loss -= Math.log(expected[i][(int) y[i]]);
    }
    long correct = confusion[0][0] + confusion[1][1] + confusion[2][2];
    String report = r.out();
    double printedLoss = Double.parseDouble(report.lines().filter(l -> l.startsWith("loss "))
        .findFirst().orElseThrow().split(" ")[1]);
    close(loss / HELD_OUT, printedLoss, 1e-12, "mean cross-entropy");
    assertTrue(report.contains("accuracy " + (double) correct / HELD_OUT + " (" + correct
        + " of " + HELD_OUT + ")"), report);
    for (int t = 0; t < 3; t++) {
      String row = report.lines().filter(l -> l.matches("\\s+\\d\\s+\\d+\\s+\\d+\\s+\\d+"))
          .skip(t).findFirst().orElseThrow().trim();
      assertEquals(t + " " + confusion[t][0] + " " + confusion[t][1] + " " + confusion[t][2],
          row.replaceAll("\\s+", " "), "confusion row of class " + t);
    }
  }

  @Test
  void predictWithoutTheTargetColumnKeepsTheInputColumnsAndPrintsNoEvaluation() throws Exception {
    Path data = dir.resolve("no-target.csv");
    Files.writeString(data, "id,a,b,c\n\"r,1\",1,2,3\nr2,-1,0.5,2\n");
    Runs.Result r = Runs.run("predict", runs.get("linear").toString(), "--data",
        data.toString(), "--keep-columns");
    assertEquals(0, r.exitCode(), r.err());
    List<String> lines = r.outLines();
    assertEquals("id,a,b,c,prediction", lines.get(0));
    assertTrue(lines.get(1).startsWith("\"r,1\",1,2,3,"), lines.get(1));
    assertTrue(lines.get(2).startsWith("r2,-1,0.5,2,"), lines.get(2));
    TrainedModel trained = TrainedModel.load(runs.get("linear"));
    double expected = reference("linear", trained, new double[][] {{-1, 0.5, 2}})[0][0];
    close(expected, Double.parseDouble(lines.get(2).split(",")[4]), 1e-12, "row 2");
    assertEquals(3, lines.size());
    assertTrue(r.err().startsWith("scored 2 row(s)"), r.err());
    assertFalse(r.err().contains("loss"), r.err());
  }

  @Test
  void badRowsNameFileAndLineAndLeaveAnEarlierOutputAlone() throws Exception {
    Path out = dir.resolve("kept.csv");
    Files.writeString(out, "an older good file\n");
    Path data = dir.resolve("bad.csv");
    Files.writeString(data, "a,b,c,t\n1,2,3,1\n1,2,3,7\n");
    Runs.Result r = Runs.run("predict", runs.get("softmax").toString(), "--data",
        data.toString(), "--out", out.toString());
    assertEquals(2, r.exitCode());
    assertEquals("predict: " + data + ":3: column 't': label 7.0 is not a class 0 … 2", r.err().strip());
    assertEquals("an older good file\n", Files.readString(out));
    assertFalse(Files.exists(dir.resolve("kept.csv.tmp")));
    Files.writeString(data, "a,b\n1,2\n");
    r = Runs.run("predict", runs.get("softmax").toString(), "--data", data.toString());
    assertEquals(2, r.exitCode());
    assertTrue(r.err().startsWith("predict: " + data + ":1: no column 'c'"), r.err());
    r = Runs.run("predict", dir.toString(), "--data", data.toString());
    assertEquals(2, r.exitCode());
    assertEquals("predict: " + dir + ": not a run directory (no config.json)", r.err().strip());
  }

  @Test
  void aRunThatDidNotFinishIsScoredWithItsCheckpointAndSaysSo() throws Exception {
    Path run = dir.resolve("run-diverged");
    assertEquals(3, Runs.run("--learning-rate", "5", "--run-dir", run.toString()).exitCode());
    Path data = dir.resolve("x.csv");
    Files.writeString(data, "x\n1\n");
    Runs.Result r = Runs.run("predict", run.toString(), "--data", data.toString());
    assertEquals(0, r.exitCode(), r.err());
    long step = TrainedModel.load(run).step();
    assertTrue(r.err().startsWith("predict: note: run " + run + " is diverged; using its "
        + "checkpoint after step " + step), r.err());
  }

  @Test
  void aModelWhosePredictionUsesAnOpWithNoOnnxCounterpartIsRefusedInOneLine() throws Exception {
    Path csv = dir.resolve("masked.csv");
    Files.writeString(csv, csv(trainX, targets("linear", trainX)));
    Path run = dir.resolve("run-masked");
    Runs.Result r = Runs.run("--model", "test-masked", "--data", csv.toString(), "--features",
        "a,b,c", "--target", "t", "--steps", "3", "--run-dir", run.toString());
    assertEquals(0, r.exitCode(), r.err());
    Path onnx = dir.resolve("masked.onnx");
    r = Runs.run("export", run.toString(), "--onnx", onnx.toString());
    assertEquals(2, r.exitCode());
    assertEquals("export: model 'test-masked' cannot be exported to ONNX: its prediction uses op"
        + " 'constant' (a Java function of each element), which has no ONNX counterpart (score"
        + " it with 'predict')", r.err().strip());
    assertFalse(Files.exists(onnx));
    // predict serves it: the user's own forward pass.
    r = Runs.run("predict", run.toString(), "--data", csv.toString());
    assertEquals(0, r.exitCode(), r.err());
    assertEquals(TRAIN + 1, r.outLines().size());
  }
}
