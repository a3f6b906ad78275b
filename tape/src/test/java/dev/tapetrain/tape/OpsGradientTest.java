package dev.tapetrain.tape;

import static dev.tapetrain.tape.GradientCheck.assertClose;
import static dev.tapetrain.tape.GradientCheck.numeric;
import static dev.tapetrain.tape.GradientCheck.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.function.BinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every primitive against its analytic derivative and against central finite differences, on
 * random inputs. The target is {@code sum(op(x))}, whose gradient is the elementwise derivative.
 */
class OpsGradientTest {

  private static final int TRIALS = 20;

  static Stream<Arguments> unaryOps() {
    // name, op, analytic derivative, lower bound of the input domain
    return Stream.of(
        Arguments.of("neg", (UnaryOperator<Tensor>) Ops::neg, (DoubleUnaryOperator) x -> -1, -3.0),
        Arguments.of("square", (UnaryOperator<Tensor>) Ops::square,
            (DoubleUnaryOperator) x -> 2 * x, -3.0),
        Arguments.of("sqrt", (UnaryOperator<Tensor>) Ops::sqrt,
            (DoubleUnaryOperator) x -> 0.5 / Math.sqrt(x), 0.1),
        Arguments.of("exp", (UnaryOperator<Tensor>) Ops::exp,
            (DoubleUnaryOperator) Math::exp, -3.0),
        Arguments.of("log", (UnaryOperator<Tensor>) Ops::log,
            (DoubleUnaryOperator) x -> 1 / x, 0.1),
        Arguments.of("tanh", (UnaryOperator<Tensor>) Ops::tanh,
            (DoubleUnaryOperator) x -> 1 - Math.tanh(x) * Math.tanh(x), -3.0),
        Arguments.of("sigmoid", (UnaryOperator<Tensor>) Ops::sigmoid,
            (DoubleUnaryOperator) x -> Math.exp(-x) / ((1 + Math.exp(-x)) * (1 + Math.exp(-x))),
            -3.0),
        Arguments.of("pow3", (UnaryOperator<Tensor>) t -> Ops.pow(t, 3),
            (DoubleUnaryOperator) x -> 3 * x * x, -3.0),
        Arguments.of("pow-1.5", (UnaryOperator<Tensor>) t -> Ops.pow(t, -1.5),
            (DoubleUnaryOperator) x -> -1.5 * Math.pow(x, -2.5), 0.1));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unaryOps")
  void unaryOpGradientMatchesAnalyticAndFiniteDifferences(String name, UnaryOperator<Tensor> op,
      DoubleUnaryOperator derivative, double lo) {
    Random rnd = new Random(name.hashCode());
    for (int trial = 0; trial < TRIALS; trial++) {
      boolean scalar = trial % 2 == 0;
      double[] x = new double[scalar ? 1 : 1 + rnd.nextInt(7)];
      for (int i = 0; i < x.length; i++) {
        x[i] = lo + rnd.nextDouble() * (3.0 - lo);
      }
      Tensor xt = tensor(x, scalar);
      Tensor g;
      try (GradientTape tape = new GradientTape()) {
        tape.watch(xt);
        g = tape.gradient(Ops.sum(op.apply(xt)), xt);
      }
      double[] analytic = new double[x.length];
      for (int i = 0; i < x.length; i++) {
        analytic[i] = derivative.applyAsDouble(x[i]);
      }
      assertClose(analytic, g, name + " analytic");
      assertClose(numeric(v -> Ops.sum(op.apply(tensor(v, scalar))).item(), x), g, name + " fd");
      assertEquals(xt.rank(), g.rank(), name + ": gradient has the input's shape");
    }
  }

  static Stream<Arguments> binaryOps() {
    return Stream.of(
        Arguments.of("add", (BinaryOperator<Tensor>) Ops::add),
        Arguments.of("sub", (BinaryOperator<Tensor>) Ops::sub),
        Arguments.of("mul", (BinaryOperator<Tensor>) Ops::mul),
        Arguments.of("div", (BinaryOperator<Tensor>) Ops::div),
        Arguments.of("squaredDifference", (BinaryOperator<Tensor>) Ops::squaredDifference));
  }

  /** Both operands, in all broadcast combinations: vector-vector, vector-scalar, scalar-vector. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("binaryOps")
  void binaryOpGradientMatchesFiniteDifferencesWithBroadcasting(String name,
      BinaryOperator<Tensor> op) {
    Random rnd = new Random(name.hashCode());
    for (int trial = 0; trial < TRIALS; trial++) {
      int n = 1 + rnd.nextInt(6);
      boolean aScalar = trial % 3 == 2;
      boolean bScalar = trial % 3 == 1;
      double[] a = randomAwayFromZero(rnd, aScalar ? 1 : n);
      double[] b = randomAwayFromZero(rnd, bScalar ? 1 : n);
      Tensor at = tensor(a, aScalar);
      Tensor bt = tensor(b, bScalar);
      Tensor[] g;
      try (GradientTape tape = new GradientTape()) {
        tape.watch(at, bt);
        g = tape.gradient(Ops.sum(op.apply(at, bt)), at, bt);
      }
      assertClose(numeric(v -> Ops.sum(op.apply(tensor(v, aScalar), bt)).item(), a), g[0],
          name + " d/da");
      assertClose(numeric(v -> Ops.sum(op.apply(at, tensor(v, bScalar))).item(), b), g[1],
          name + " d/db");
    }
  }

  /** {@code mulAdd} in all eight scalar/vector combinations of its three operands. */
  @Test
  void mulAddIsMulThenAddBitForBitAndItsGradientMatchesFiniteDifferences() {
    Random rnd = new Random(7);
    for (int combo = 0; combo < 8; combo++) {
      boolean[] scalar = {(combo & 1) != 0, (combo & 2) != 0, (combo & 4) != 0};
      int n = 2 + rnd.nextInt(5);
      Tensor[] t = new Tensor[3];
      double[][] v = new double[3][];
      for (int k = 0; k < 3; k++) {
        v[k] = randomAwayFromZero(rnd, scalar[k] ? 1 : n);
        t[k] = tensor(v[k], scalar[k]);
      }
      Tensor[] g;
      try (GradientTape tape = new GradientTape()) {
        tape.watch(t);
        Tensor out = Ops.mulAdd(t[0], t[1], t[2]);
        assertTrue(
            out.valueEquals(Ops.add(Ops.mul(t[0], t[1]), t[2])), "combo " + combo);
        g = tape.gradient(Ops.sum(out), t);
      }
      for (int k = 0; k < 3; k++) {
        int which = k;
        assertClose(numeric(x -> {
          Tensor[] u = t.clone();
          u[which] = tensor(x, scalar[which]);
          return Ops.sum(Ops.mulAdd(u[0], u[1], u[2])).item();
        }, v[k]), g[k], "combo " + combo + " d/d" + "abc".charAt(k));
      }
    }
  }

  /**
   * Second derivatives through squaredDifference, whose backward pass is a primitive of its own:
   * the gradient (by an outer tape) of {@code Σ r·∂L/∂a}, where the inner {@code ∂L/∂a} is
   * itself a tape gradient, against central differences of that inner gradient. With
   * {@code L = Σ sqdiff(a, b)²} the upstream gradient of sqdiff depends on a and b, so every
   * input of the backward primitive is exercised.
   */
  @Test
  void squaredDifferenceHasCorrectSecondDerivatives() {
    Random rnd = new Random(11);
    for (int trial = 0; trial < TRIALS; trial++) {
      int n = 1 + rnd.nextInt(5);
      boolean bScalar = trial % 2 == 1;
      double[] a = randomAwayFromZero(rnd, n);
      double[] b = randomAwayFromZero(rnd, bScalar ? 1 : n);
      double[] r = randomAwayFromZero(rnd, n);
      Tensor at = Tensor.vector(a);
      Tensor bt = tensor(b, bScalar);
      Tensor[] second;
      try (GradientTape outer = new GradientTape()) {
        outer.watch(at, bt);
        second = outer.gradient(Ops.sum(Ops.mul(innerGradient(at, bt), Tensor.vector(r))), at, bt);
      }
      assertClose(numeric(x -> weighted(innerGradient(Tensor.vector(x), bt), r), a), second[0],
          "d2/da");
      assertClose(numeric(x -> weighted(innerGradient(at, tensor(x, bScalar)), r), b), second[1],
          "d2/dadb");
    }
  }

  private static Tensor innerGradient(Tensor a, Tensor b) {
    try (GradientTape inner = new GradientTape()) {
      inner.watch(a);
      return inner.gradient(Ops.sum(Ops.square(Ops.squaredDifference(a, b))), a);
    }
  }

  private static double weighted(Tensor g, double[] r) {
    double s = 0;
    for (int i = 0; i < r.length; i++) {
      s += g.get(i) * r[i];
    }
    return s;
  }

  @ParameterizedTest(name = "n={0}")
  @MethodSource("sizes")
  void sumAndMeanGradientsAreOnesAndOneOverN(int n) {
    Tensor x = Tensor.vector(new Random(n).doubles(n).toArray());
    try (GradientTape tape = new GradientTape(true)) {
      tape.watch(x);
      Tensor gs = tape.gradient(Ops.sum(x), x);
      Tensor gm = tape.gradient(Ops.mean(x), x);
      for (int i = 0; i < n; i++) {
        assertEquals(1.0, gs.get(i), 0.0);
        assertEquals(1.0 / n, gm.get(i), 1e-15);
      }
    }
  }

  static Stream<Integer> sizes() {
    return Stream.of(1, 3, 4, 5, 17);
  }

  private static double[] randomAwayFromZero(Random rnd, int n) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      double m = 0.5 + 2 * rnd.nextDouble();
      v[i] = rnd.nextBoolean() ? m : -m;
    }
    return v;
  }
}
