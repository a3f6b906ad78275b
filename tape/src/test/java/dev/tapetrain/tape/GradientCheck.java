package dev.tapetrain.tape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.function.Function;

/** Central finite differences, the independent reference for every gradient test. */
final class GradientCheck {

  /** Step of the central difference; error O(h²) for smooth functions. */
  static final double H = 1e-6;
  /**
   * Tolerance: |tape − fd| ≤ TOL · max(1, |fd|). With h = 1e-6 the truncation error is ~1e-12
   * and the rounding error ~ε/h ≈ 1e-10 relative to the function value; 1e-6 leaves a wide
   * margin while still catching any wrong rule (those are off by O(1)).
   */
  static final double TOL = 1e-6;

  private GradientCheck() {}

  /** ∂f/∂x_i by central differences, for a scalar-valued f. */
  static double[] numeric(Function<double[], Double> f, double[] x) {
    double[] g = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      double[] plus = x.clone();
      double[] minus = x.clone();
      plus[i] += H;
      minus[i] -= H;
      g[i] = (f.apply(plus) - f.apply(minus)) / (2 * H);
    }
    return g;
  }

  static void assertClose(double[] expected, Tensor actual, String what) {
    assertNotNull(actual, what + ": gradient is null");
    assertEquals(expected.length, actual.size(), what + ": size");
    for (int i = 0; i < expected.length; i++) {
      double tol = TOL * Math.max(1.0, Math.abs(expected[i]));
      assertEquals(expected[i], actual.get(i), tol, what + "[" + i + "]");
    }
  }

  /** Wraps x as a tensor of the same rank the test is about: scalar for one element. */
  static Tensor tensor(double[] x, boolean scalar) {
    return scalar ? Tensor.scalar(x[0]) : Tensor.vector(x);
  }
}
