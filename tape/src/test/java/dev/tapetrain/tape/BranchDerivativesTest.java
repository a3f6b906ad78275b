package dev.tapetrain.tape;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Where {@code relu}, {@code abs} and {@link Ops#sign} choose at 0, the choice TensorFlow makes:
 * relu′(0) = 0, abs′(x) = sign(x) (0 at ±0), and {@code sign} keeps the sign of a zero and NaN,
 * as {@link Math#signum}. Bit for bit, from a plain list of the expected values.
 */
class BranchDerivativesTest {

  private static final double[] X = {-0.0, 0.0, 1.5, -1.5, Double.MIN_VALUE, -Double.MIN_VALUE};

  private static Tensor gradient(java.util.function.UnaryOperator<Tensor> f) {
    Tensor x = Tensor.vector(X.clone());
    try (GradientTape tape = new GradientTape()) {
      tape.watch(x);
      return tape.gradient(Ops.sum(f.apply(x)), x);
    }
  }

  private static void assertBits(double[] expected, Tensor actual, String what) {
    for (int i = 0; i < expected.length; i++) {
      assertEquals(Double.doubleToRawLongBits(expected[i]),
          Double.doubleToRawLongBits(actual.get(i)), what + " at " + X[i] + ": expected "
              + expected[i] + ", got " + actual.get(i));
    }
  }

  @Test
  void reluHasNoSlopeAtZero() {
    assertBits(new double[] {0.0, 0.0, 1.0, 0.0, 1.0, 0.0}, gradient(Ops::relu), "relu'");
  }

  @Test
  void absHasTheSignOfItsInputAsSlope() {
    // 1 · signum(x): −0 at −0 (1 · −0), 0 at 0.
    assertBits(new double[] {-0.0, 0.0, 1.0, -1.0, 1.0, -1.0}, gradient(Ops::abs), "abs'");
  }

  @Test
  void signIsMathSignumAndHasNoGradient() {
    Tensor s = Ops.sign(Tensor.vector(new double[] {-0.0, 0.0, 3.0, -0.25, Double.NaN,
        Double.NEGATIVE_INFINITY}));
    double[] expected = {-0.0, 0.0, 1.0, -1.0, Double.NaN, -1.0};
    for (int i = 0; i < expected.length; i++) {
      assertEquals(Double.doubleToRawLongBits(expected[i]), Double.doubleToRawLongBits(s.get(i)),
          "sign at " + i);
    }
    // No tape records it: the gradient through it is none (unconnected), taken as zero.
    Tensor x = Tensor.vector(new double[] {2.0, -3.0});
    try (GradientTape tape = new GradientTape()) {
      tape.watch(x);
      Tensor g = tape.gradient(Ops.sum(Ops.mul(Ops.sign(x), Tensor.scalar(5.0))), x);
      assertEquals(null, g);
    }
  }
}
