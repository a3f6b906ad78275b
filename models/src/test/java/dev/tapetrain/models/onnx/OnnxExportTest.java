package dev.tapetrain.models.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.tapetrain.models.Model;
import dev.tapetrain.models.Models;
import dev.tapetrain.models.Parameter;
import dev.tapetrain.models.onnx.proto.ModelProto;
import dev.tapetrain.spi.UserError;
import dev.tapetrain.tape.GradientTape;
import dev.tapetrain.tape.MatrixOps;
import dev.tapetrain.tape.Ops;
import dev.tapetrain.tape.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The ONNX export of a model's traced prediction, run by ONNX Runtime, against the model's own
 * {@code predict} on the tape (an independent computation: the runtime's kernels, not ours) on
 * {@value #ROWS} rows, a number the export never traced: float64 to a relative 1e-12 of
 * {@code max(1, |value|)}, float32 to 1e-4; labels equal (float64). Every op the translator
 * knows is exercised by one of the programs below; ops with no ONNX counterpart and predictions
 * a graph cannot hold are refused in one line that names them.
 */
class OnnxExportTest {

  private static final int ROWS = 37;
  private static final int F = 3;
  private static final double FLOAT64_TOL = 1e-12;
  private static final double FLOAT32_TOL = 1e-4;

  private final Random random = new Random(29);

  /** A regression model whose prediction is {@code body} of (params, x), parameters given. */
  private static Model model(List<Parameter> parameters, int classes,
      BiFunction<Map<String, Tensor>, Tensor, Tensor> body) {
    return new Model() {
      @Override
      public List<Parameter> parameters() {
        return parameters;
      }

      @Override
      public Tensor lossSum(Map<String, Tensor> p, Tensor x, Tensor y) {
        return Ops.sum(Ops.squaredDifference(predict(p, x), y));
      }

      @Override
      public Tensor predict(Map<String, Tensor> p, Tensor x) {
        return body.apply(p, x);
      }

      @Override
      public int classes() {
        return classes;
      }
    };
  }

  private static final List<Parameter> AFFINE = List.of(
      new Parameter("w", new int[] {F}, new double[] {0.7, -0.4, 0.25}, true),
      new Parameter("b", new int[0], new double[] {0.3}, false));

  private static final List<Parameter> LAYER = List.of(
      new Parameter("w1", new int[] {F, 4}, new double[] {0.5, -0.3, 0.2, 0.9, -0.7, 0.4, 0.1,
          -0.2, 0.6, 0.8, -0.5, 0.3}, true),
      new Parameter("b1", new int[] {4}, new double[] {0.1, -0.2, 0.05, 0.3}, false));

  /** Elementwise ops on {@code z = x·w + b}. */
  private static Tensor elementwise(Map<String, Tensor> p, Tensor x) {
    Tensor z = Ops.add(Ops.matvec(x, p.get("w")), p.get("b"));
    Tensor positive = Ops.add(Ops.square(z), Tensor.scalar(1.0));
    Tensor a = Ops.div(Ops.sub(Ops.tanh(z), Ops.neg(Ops.abs(Ops.add(z, Ops.sigmoid(z))))),
        Ops.sqrt(positive));
    Tensor c = Ops.add(Ops.log(positive), Ops.log1p(Ops.exp(Ops.neg(positive))));
    Tensor d = Ops.add(Ops.pow(positive, 1.5), Ops.relu(Ops.mulAdd(z, p.get("b"), a)));
    return Ops.mul(Ops.add(Ops.add(a, c), Ops.sub(d, Ops.squaredDifference(z, p.get("b")))),
        Ops.broadcastTo(Ops.sum(p.get("w")), z.shape()));
  }

  /** Matrix ops: products, transposes, row and column sums and maxima, repeats, softmax. */
  private static Tensor matrices(Map<String, Tensor> p, Tensor x) {
    int n = x.shape()[0];
    Tensor h = MatrixOps.dense(x, p.get("w1"), p.get("b1"));
    Tensor same = Ops.add(MatrixOps.matmul(x, p.get("w1")), MatrixOps.repeatRows(p.get("b1"), n));
    Tensor t = MatrixOps.transpose(MatrixOps.transpose(Ops.sub(h, same)));
    Tensor s = Ops.add(MatrixOps.softmax(h), t);
    Tensor scaled = Ops.mul(s, MatrixOps.repeatRows(MatrixOps.colSum(h), n));
    Tensor rows = Ops.add(MatrixOps.rowSum(scaled), MatrixOps.logSumExp(h));
    Tensor outer = Ops.outer(rows, Ops.vecmat(rows, x));
    return Ops.add(Ops.add(rows, MatrixOps.rowSum(outer)), MatrixOps.rowSum(
        MatrixOps.column(MatrixOps.rowMax(h))));
  }

  /** The gradient by x of a tanh layer: the backward ops a tape records. */
  private static Tensor gradient(Map<String, Tensor> p, Tensor x) {
    try (GradientTape tape = new GradientTape()) {
      tape.watch(x);
      Tensor h = Ops.tanh(MatrixOps.dense(x, p.get("w1"), p.get("b1")));
      // x also as the right operand of a product, whose backward rule is matmulTransposedLeft
      Tensor right = MatrixOps.matmul(MatrixOps.transpose(p.get("w1")), MatrixOps.transpose(x));
      Tensor loss = Ops.add(Ops.sum(Ops.squaredDifference(h, Tensor.scalar(0.5))),
          Ops.sum(Ops.tanh(right)));
      return MatrixOps.rowSum(tape.gradient(loss, x));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"elementwise", "matrices", "gradient"})
  void everyTranslatedOpAgreesWithThePredictionUnderOnnxRuntime(String program) throws Exception {
    Model m = switch (program) {
      case "elementwise" -> model(AFFINE, 0, OnnxExportTest::elementwise);
      case "matrices" -> model(LAYER, 0, OnnxExportTest::matrices);
      default -> model(LAYER, 0, OnnxExportTest::gradient);
    };
    checkAgainstPredict(program, m, initial(m));
  }

  @Test
  void theProgramsUseEveryOpTheTranslatorKnows() {
    java.util.Set<String> used = new java.util.TreeSet<>();
    for (Model m : List.of(model(AFFINE, 0, OnnxExportTest::elementwise),
        model(LAYER, 0, OnnxExportTest::matrices), model(LAYER, 0, OnnxExportTest::gradient))) {
      PredictionTrace t = PredictionTrace.of("m", m, initial(m), F);
      t.program().ops().forEach(op -> used.add(op.name()));
    }
    java.util.Set<String> missing = new java.util.TreeSet<>(OnnxOps.translated());
    missing.removeAll(used);
    assertEquals(java.util.Set.of(), missing, "ops no test program exercises");
  }

  @ParameterizedTest
  @ValueSource(strings = {"linear", "linear-3", "logistic", "softmax", "mlp", "mlp-classes"})
  void everyBuiltInModelAgreesWithItsPredictionUnderOnnxRuntime(String which) throws Exception {
    Model m = switch (which) {
      case "linear" -> Models.create("linear", 1, 0, 7, Map.of("init-w", "0.8", "init-b", "-2"));
      case "linear-3" -> Models.create("linear", F, 0, 7, Map.of("init-w", "0.8,-0.1,2"));
      case "logistic" -> Models.create("logistic", F, 2, 7, Map.of());
      case "softmax" -> Models.create("softmax", F, 3, 7, Map.of());
      case "mlp" -> Models.create("mlp", F, 0, 7, Map.of("hidden", "5"));
      default -> Models.create("mlp", F, 4, 7, Map.of("hidden", "6"));
    };
    List<double[]> values = new ArrayList<>();
    for (Parameter p : m.parameters()) {
      double[] v = p.initial().clone();
      for (int i = 0; i < v.length; i++) {
        v[i] += random.nextGaussian(); // zeros would hide a swapped weight
      }
      values.add(v);
    }
    checkAgainstPredict(which, m, values);
  }

  @Test
  void parametersNamedLikeTheGraphsOwnTensorsKeepTheirValues() throws Exception {
    List<Parameter> clashing = List.of(
        new Parameter("x", new int[] {F}, new double[] {0.7, -0.4, 0.25}, true),
        new Parameter("label", new int[0], new double[] {0.3}, false),
        new Parameter("mul_0", new int[0], new double[] {-1.5}, false),
        new Parameter("const_1", new int[0], new double[] {2.25}, false));
    Model m = model(clashing, 0, (p, x) -> Ops.add(Ops.mul(Ops.add(Ops.matvec(x, p.get("x")),
        p.get("label")), p.get("mul_0")), Ops.mul(p.get("const_1"), Tensor.scalar(3.0))));
    checkAgainstPredict("clashing names", m, initial(m));
  }

  @Test
  void anOpWithNoOnnxCounterpartIsRefusedByNameInOneLine() {
    Model masked = model(AFFINE, 0, (p, x) -> {
      Tensor z = Ops.add(Ops.matvec(x, p.get("w")), p.get("b"));
      return Ops.mul(z, Ops.constant(z, v -> v > 0 ? 1 : 0));
    });
    assertRefused("model 'mine' cannot be exported to ONNX: its prediction uses op 'constant'"
        + " (a Java function of each element), which has no ONNX counterpart (score it with"
        + " 'predict')", masked);
    Model segments = model(AFFINE, 0, (p, x) -> Ops.repeat(Ops.segmentSum(
        Ops.add(Ops.matvec(x, p.get("w")), p.get("b")), new int[] {x.shape()[0]}),
        new int[] {x.shape()[0]}));
    assertRefused("model 'mine' cannot be exported to ONNX: its prediction uses op"
        + " 'segmentSum' (sums of segments whose lengths are fixed in the program), which has no"
        + " ONNX counterpart (score it with 'predict')", segments);
  }

  @Test
  void aPredictionAGraphCannotHoldIsRefusedInOneLine() {
    Model mean = model(AFFINE, 0, (p, x) -> Ops.sub(Ops.matvec(x, p.get("w")),
        Ops.mean(Ops.matvec(x, p.get("w")))));
    assertRefused("model 'mine' cannot be exported to ONNX: op div reads a tensor made outside"
        + " the tape's ops from the data (their values or their number of rows) (score it with"
        + " 'predict')", mean);
    Model branching = model(AFFINE, 0, (p, x) -> x.shape()[0] > 6
        ? Ops.matvec(x, p.get("w")) : Ops.exp(Ops.matvec(x, p.get("w"))));
    assertTrue(refusal(branching).contains("its prediction runs"), refusal(branching));
    Model wide = model(AFFINE, 0, (p, x) -> MatrixOps.repeatColumns(Ops.matvec(x, p.get("w")),
        2));
    assertRefused("model 'mine' cannot be exported to ONNX: its prediction has shape [N, 2],"
        + " not [N] (a regression) (score it with 'predict')", wide);
  }

  private static void assertRefused(String expected, Model m) {
    assertEquals(expected, refusal(m));
  }

  private static String refusal(Model m) {
    UserError e = assertThrows(UserError.class, () -> OnnxExport.export(trained(m, initial(m)),
        false));
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
    return e.getMessage();
  }

  private static List<double[]> initial(Model m) {
    return m.parameters().stream().map(Parameter::initial).toList();
  }

  private static OnnxExport.Trained trained(Model m, List<double[]> values) {
    int f = m.parameters().get(0).shape().length == 0 ? 1 : m.parameters().get(0).shape()[0];
    List<String> columns = new ArrayList<>();
    for (int j = 0; j < f; j++) {
      columns.add("c" + j);
    }
    return new OnnxExport.Trained("mine", m, values, columns, "t", 1, "a test");
  }

  private void checkAgainstPredict(String what, Model m, List<double[]> values)
      throws Exception {
    OnnxExport.Trained t = trained(m, values);
    int f = t.featureColumns().size();
    double[][] rows = new double[ROWS][f];
    for (double[] row : rows) {
      for (int j = 0; j < f; j++) {
        row[j] = 1.5 * random.nextGaussian();
      }
    }
    Map<String, Tensor> params = new java.util.LinkedHashMap<>();
    for (int k = 0; k < values.size(); k++) {
      int[] s = m.parameters().get(k).shape();
      double[] v = values.get(k);
      params.put(m.parameters().get(k).name(), s.length == 0 ? Tensor.scalar(v[0])
          : s.length == 1 ? Tensor.vector(v) : Tensor.matrix(s[0], s[1], v));
    }
    double[] flat = new double[ROWS * f];
    for (int i = 0; i < ROWS; i++) {
      System.arraycopy(rows[i], 0, flat, i * f, f);
    }
    Tensor expected = m.predict(params, Tensor.matrix(ROWS, f, flat));
    int k = m.classes();
    for (boolean float32 : new boolean[] {false, true}) {
      ModelProto proto = OnnxExport.export(t, float32);
      double tolerance = float32 ? FLOAT32_TOL : FLOAT64_TOL;
      String label = what + (float32 ? " float32" : " float64");
      OrtEnvironment env = OrtEnvironment.getEnvironment();
      try (OrtSession session = env.createSession(proto.toByteArray(),
              new OrtSession.SessionOptions());
          OnnxTensor input = float32 ? OnnxTensor.createTensor(env, floats(rows))
              : OnnxTensor.createTensor(env, rows);
          OrtSession.Result result = session.run(Map.of("x", input))) {
        if (k == 0) {
          double[] y = doubles(result.get("y").orElseThrow().getValue());
          assertEquals(ROWS, y.length);
          for (int i = 0; i < ROWS; i++) {
            close(expected.get(i), y[i], tolerance, label + " row " + i);
          }
          continue;
        }
        Object probs = result.get("probabilities").orElseThrow().getValue();
        long[] labels = (long[]) result.get("label").orElseThrow().getValue();
        for (int i = 0; i < ROWS; i++) {
          double[] p = doubles(java.lang.reflect.Array.get(probs, i));
          assertEquals(k, p.length);
          double[] want = new double[k];
          if (expected.rank() == 1) {
            want[0] = 1 - expected.get(i);
            want[1] = expected.get(i);
          } else {
            for (int j = 0; j < k; j++) {
              want[j] = expected.get(i * k + j);
            }
          }
          for (int j = 0; j < k; j++) {
            close(want[j], p[j], tolerance, label + " probability " + j + " of row " + i);
          }
          if (!float32) {
            assertEquals(argmax(want, expected.rank() == 1), labels[i], label + " row " + i);
          }
        }
      }
    }
  }

  private static int argmax(double[] p, boolean binary) {
    if (binary) {
      return p[1] > 0.5 ? 1 : 0;
    }
    int best = 0;
    for (int j = 1; j < p.length; j++) {
      if (p[j] > p[best]) {
        best = j;
      }
    }
    return best;
  }

  private static void close(double expected, double actual, double relative, String what) {
    double scale = Math.max(1, Math.abs(expected));
    assertTrue(Math.abs(expected - actual) <= relative * scale,
        what + ": expected " + expected + ", got " + actual);
  }

  private static float[][] floats(double[][] x) {
    float[][] f = new float[x.length][];
    for (int i = 0; i < x.length; i++) {
      f[i] = new float[x[i].length];
      for (int j = 0; j < x[i].length; j++) {
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
    return Arrays.copyOf(d, d.length);
  }
}
