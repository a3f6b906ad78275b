package dev.tapetrain.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.tape.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Each built-in model's loss sum, gradients and metrics against an independent plain-loop
 * implementation of the same math written here (TensorFlow's definitions): the loss to a
 * relative 1e-12, the tape's gradients against central finite differences of the plain-loop loss
 * (relative 1e-6, see FD_TOL) and, for the convex models, against their closed-form gradients
 * (relative 1e-11).
 */
class BuiltInModelsTest {

  private static final double LOSS_TOL = 1e-12;
  private static final double CLOSED_FORM_TOL = 1e-11;
  /** Central differences with h = 1e-6: truncation ~1e-12, rounding ~1e-10 of the loss. */
  private static final double FD_TOL = 1e-6;
  private static final double H = 1e-6;

  private static final int N = 7;
  private static final int F = 3;
  private static final int K = 4;
  private static final int HIDDEN = 5;

  private final Random rnd = new Random(13);

  private double[] gaussian(int n, double scale) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = scale * rnd.nextGaussian();
    }
    return v;
  }

  private double[] labels(int n, int k) {
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      y[i] = rnd.nextInt(k);
    }
    return y;
  }

  /** A plain-loop loss of (parameter values flattened in model order, x row-major, y). */
  @FunctionalInterface
  private interface PlainLoss {
    double of(double[][] params, double[] x, double[] y);
  }

  private static double[][] flat(List<double[]> values) {
    double[][] out = new double[values.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i).clone();
    }
    return out;
  }

  /** Random parameter values of the model's shapes. */
  private List<double[]> randomValues(Model m, double scale) {
    List<double[]> out = new ArrayList<>();
    for (Parameter p : m.parameters()) {
      out.add(gaussian(p.size(), scale));
    }
    return out;
  }

  private static void assertRelative(double expected, double actual, double tol, String what) {
    assertEquals(expected, actual, tol * Math.max(1.0, Math.abs(expected)), what);
  }

  /** Loss vs the plain loop; every gradient element vs central differences of the plain loop. */
  private void checkAgainstPlainLoop(Model m, PlainLoss plain, double[] x, double[] y,
      List<double[]> values) {
    ModelGradients.Sums sums = ModelGradients.of(m, values, Tensor.matrix(N, F, x),
        Tensor.vector(y));
    double[][] p = flat(values);
    assertRelative(plain.of(p, x, y), sums.lossSum(), LOSS_TOL, "loss sum");
    for (int t = 0; t < p.length; t++) {
      for (int i = 0; i < p[t].length; i++) {
        double[][] plus = flat(values);
        double[][] minus = flat(values);
        plus[t][i] += H;
        minus[t][i] -= H;
        double fd = (plain.of(plus, x, y) - plain.of(minus, x, y)) / (2 * H);
        assertRelative(fd, sums.gradients().get(t)[i], FD_TOL,
            m.parameters().get(t).name() + "[" + i + "]");
      }
    }
  }

  private static Model model(String name, int classes) {
    return model(name, classes, 42);
  }

  /** The built-in model {@code name} with the settings of these tests (an MLP of HIDDEN units). */
  private static Model model(String name, int classes, long seed) {
    return Models.create(name, F, classes, seed,
        name.equals("mlp") ? java.util.Map.of("hidden", Integer.toString(HIDDEN))
            : java.util.Map.of());
  }

  // ---- plain-loop references --------------------------------------------------------------

  private static double[] logitsPlain(double[] w, double b, double[] x, int n) {
    double[] z = new double[n];
    for (int i = 0; i < n; i++) {
      double s = 0;
      for (int f = 0; f < F; f++) {
        s += x[i * F + f] * w[f];
      }
      z[i] = s + b;
    }
    return z;
  }

  private static double[][] densePlain(double[] x, int n, int in, double[] w, double[] b,
      int out) {
    double[][] z = new double[n][out];
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < out; k++) {
        double s = 0;
        for (int j = 0; j < in; j++) {
          s += x[i * in + j] * w[j * out + k];
        }
        z[i][k] = s + b[k];
      }
    }
    return z;
  }

  private static double softmaxCe(double[] z, int label) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : z) {
      max = Math.max(max, v);
    }
    double s = 0;
    for (double v : z) {
      s += Math.exp(v - max);
    }
    return max + Math.log(s) - z[label];
  }

  private static double bce(double z, double y) {
    return Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z)));
  }

  // ---- tests --------------------------------------------------------------------------------

  @Test
  void linearMatchesItsPlainLoopAndClosedForm() {
    Model m = model("linear", 0);
    double[] x = gaussian(N * F, 1);
    double[] y = gaussian(N, 2);
    List<double[]> values = randomValues(m, 1);
    PlainLoss plain = (p, xs, ys) -> {
      double[] z = logitsPlain(p[0], p[1][0], xs, N);
      double s = 0;
      for (int i = 0; i < N; i++) {
        s += (z[i] - ys[i]) * (z[i] - ys[i]);
      }
      return s;
    };
    checkAgainstPlainLoop(m, plain, x, y, values);
  }

  @Test
  void linearWithOneFeatureHasAScalarWeightAndTheTutorialsInitialValues() {
    Model m = Models.create("linear", 1, 0, 42, java.util.Map.of());
    assertEquals(0, m.parameters().get(0).shape().length, "w is a scalar for one feature");
    assertArrayEquals(new double[] {5.0}, m.parameters().get(0).initial());
    assertArrayEquals(new double[] {10.0}, m.parameters().get(1).initial());
    Model three = Models.create("linear", 3, 0, 42, java.util.Map.of("init-w", "5"));
    assertArrayEquals(new double[] {5, 5, 5}, three.parameters().get(0).initial(),
        "a single --init-w is broadcast to every feature");
  }

  @Test
  void logisticMatchesItsPlainLoopAndItsClosedFormGradient() {
    Model m = model("logistic", 0);
    double[] x = gaussian(N * F, 1);
    double[] y = labels(N, 2);
    List<double[]> values = randomValues(m, 1);
    PlainLoss plain = (p, xs, ys) -> {
      double[] z = logitsPlain(p[0], p[1][0], xs, N);
      double s = 0;
      for (int i = 0; i < N; i++) {
        s += bce(z[i], ys[i]);
      }
      return s;
    };
    checkAgainstPlainLoop(m, plain, x, y, values);
    // Closed form: dL/dw = Σ (σ(z) − y) x, dL/db = Σ (σ(z) − y).
    ModelGradients.Sums sums = ModelGradients.of(m, values, Tensor.matrix(N, F, x),
        Tensor.vector(y));
    double[] z = logitsPlain(values.get(0), values.get(1)[0], x, N);
    double[] gw = new double[F];
    double gb = 0;
    for (int i = 0; i < N; i++) {
      double e = 1 / (1 + Math.exp(-z[i])) - y[i];
      gb += e;
      for (int f = 0; f < F; f++) {
        gw[f] += e * x[i * F + f];
      }
    }
    for (int f = 0; f < F; f++) {
      assertRelative(gw[f], sums.gradients().get(0)[f], CLOSED_FORM_TOL, "dw");
    }
    assertRelative(gb, sums.gradients().get(1)[0], CLOSED_FORM_TOL, "db");
  }

  @Test
  void softmaxMatchesItsPlainLoopAndItsClosedFormGradient() {
    Model m = model("softmax", K);
    double[] x = gaussian(N * F, 1);
    double[] y = labels(N, K);
    List<double[]> values = randomValues(m, 1);
    PlainLoss plain = (p, xs, ys) -> {
      double[][] z = densePlain(xs, N, F, p[0], p[1], K);
      double s = 0;
      for (int i = 0; i < N; i++) {
        s += softmaxCe(z[i], (int) ys[i]);
      }
      return s;
    };
    checkAgainstPlainLoop(m, plain, x, y, values);
    // Closed form: dL/db_k = Σ_i softmax_ik − [y_i = k].
    ModelGradients.Sums sums = ModelGradients.of(m, values, Tensor.matrix(N, F, x),
        Tensor.vector(y));
    double[][] z = densePlain(x, N, F, values.get(0), values.get(1), K);
    double[] gb = new double[K];
    for (int i = 0; i < N; i++) {
      double lse = softmaxCe(z[i], 0) + z[i][0];
      for (int k = 0; k < K; k++) {
        gb[k] += Math.exp(z[i][k] - lse) - (y[i] == k ? 1 : 0);
      }
    }
    for (int k = 0; k < K; k++) {
      assertRelative(gb[k], sums.gradients().get(1)[k], CLOSED_FORM_TOL, "db");
    }
  }

  @Test
  void mlpMatchesItsPlainLoopForRegressionAndForClasses() {
    for (int classes : new int[] {0, K}) {
      Model m = model("mlp", classes);
      int out = classes == 0 ? 1 : classes;
      double[] x = gaussian(N * F, 1);
      double[] y = classes == 0 ? gaussian(N, 1) : labels(N, K);
      List<double[]> values = randomValues(m, 0.7);
      PlainLoss plain = (p, xs, ys) -> {
        double[][] pre = densePlain(xs, N, F, p[0], p[1], HIDDEN);
        double[] h = new double[N * HIDDEN];
        for (int i = 0; i < N; i++) {
          for (int j = 0; j < HIDDEN; j++) {
            h[i * HIDDEN + j] = Math.tanh(pre[i][j]);
          }
        }
        double[][] z = densePlain(h, N, HIDDEN, p[2], p[3], out);
        double s = 0;
        for (int i = 0; i < N; i++) {
          s += classes == 0 ? (z[i][0] - ys[i]) * (z[i][0] - ys[i])
              : softmaxCe(z[i], (int) ys[i]);
        }
        return s;
      };
      checkAgainstPlainLoop(m, plain, x, y, values);
    }
  }

  @Test
  void logitsOfAThousandGiveFiniteLossesAndGradients() {
    double[] x = new double[N * F];
    x[0] = 1; // sample 0 has logit 1000·w0 + b
    double[] y = new double[N];
    Model logistic = model("logistic", 0);
    List<double[]> big = List.of(new double[] {1000, 0, 0},
        new double[] {0});
    ModelGradients.Sums s = ModelGradients.of(logistic, big, Tensor.matrix(N, F, x),
        Tensor.vector(y));
    // Sample 0: z = 1000, y = 0 → loss 1000; the other six: z = 0 → log 2 each.
    assertEquals(1000 + 6 * Math.log(2), s.lossSum(), 1e-9);
    assertTrue(s.gradients().stream().allMatch(g -> java.util.Arrays.stream(g)
        .allMatch(Double::isFinite)), s.gradients().toString());
    List<double[]> negative = List.of(new double[] {-1000, 0, 0},
        new double[] {0});
    double[] ones = new double[N];
    java.util.Arrays.fill(ones, 1);
    s = ModelGradients.of(logistic, negative, Tensor.matrix(N, F, x), Tensor.vector(ones));
    assertEquals(1000 + 6 * Math.log(2), s.lossSum(), 1e-9);

    Model softmax = model("softmax", K);
    double[] w = new double[F * K];
    w[0] = 1000; // logit 1000 for class 0, sample 0
    w[1] = -1000;
    List<double[]> sv = List.of(w,
        new double[K]);
    double[] labels = new double[N];
    labels[0] = 1; // the logit of -1000
    s = ModelGradients.of(softmax, sv, Tensor.matrix(N, F, x), Tensor.vector(labels));
    // Sample 0: lse ≈ 1000, picked −1000 → 2000; the others: log K each.
    assertEquals(2000 + 6 * Math.log(K), s.lossSum(), 1e-9);
    assertTrue(s.gradients().stream().allMatch(g -> java.util.Arrays.stream(g)
        .allMatch(Double::isFinite)));
  }

  @Test
  void logisticsGradientAtZeroWeightsIsSigmoidOfZeroMinusTheLabel() {
    // Every logit is exactly 0 at the initial (zero) weights: the gradient must be σ(0) − y.
    Model m = model("logistic", 0);
    double[] x = gaussian(N * F, 1);
    double[] y = labels(N, 2);
    ModelGradients.Sums s = ModelGradients.of(m, m.parameters().stream().map(Parameter::initial).toList(),
        Tensor.matrix(N, F, x), Tensor.vector(y));
    double gb = 0;
    for (double label : y) {
      gb += 0.5 - label;
    }
    assertEquals(gb, s.gradients().get(1)[0], 1e-15);
    assertEquals(N * Math.log(2), s.lossSum(), 1e-12);
  }

  @Test
  void classifiersCountCorrectPredictionsAsAPlainLoopDoes() {
    Model softmax = model("softmax", K);
    double[] x = gaussian(N * F, 1);
    double[] y = labels(N, K);
    List<double[]> values = randomValues(softmax, 1);
    double[][] z = densePlain(x, N, F, values.get(0), values.get(1), K);
    int correct = 0;
    for (int i = 0; i < N; i++) {
      int best = 0;
      for (int k = 1; k < K; k++) {
        best = z[i][k] > z[i][best] ? k : best;
      }
      correct += best == y[i] ? 1 : 0;
    }
    assertEquals(List.of("accuracy"), softmax.metrics());
    assertArrayEquals(new double[] {correct}, ModelGradients.of(softmax, values,
        Tensor.matrix(N, F, x), Tensor.vector(y)).metricSums());
  }
}
