package dev.tapetrain.worker.tape;

/**
 * The numeric loops behind {@link Ops}: elementwise maps of an {@link Arithmetic} method, and
 * the fixed-order sum. Plain arrays in, plain arrays out; no tape logic.
 */
final class Kernels {

  private Kernels() {}

  /** The arithmetic of a three-input elementwise op (an {@link Arithmetic} method). */
  @FunctionalInterface
  interface Ternary {
    double apply(double a, double b, double c);
  }

  /** {@code out[i] = f(x[i])}. */
  static void map(java.util.function.DoubleUnaryOperator f, double[] x, double[] out) {
    for (int i = 0; i < out.length; i++) {
      out[i] = f.applyAsDouble(x[i]);
    }
  }

  /**
   * {@code out[i] = f(x[i], y[i])}, where an operand of length 1 (and not of {@code out}'s
   * length) is a broadcast scalar. One plain loop per case, so when this is inlined into an
   * op with its constant {@code f} the JIT inlines {@code f} and vectorises the loop.
   */
  static void map(java.util.function.DoubleBinaryOperator f, double[] x, double[] y,
      double[] out) {
    int n = out.length;
    if (x.length == n && y.length == n) {
      for (int i = 0; i < n; i++) {
        out[i] = f.applyAsDouble(x[i], y[i]);
      }
    } else if (x.length == n) {
      double s = y[0];
      for (int i = 0; i < n; i++) {
        out[i] = f.applyAsDouble(x[i], s);
      }
    } else {
      double s = x[0];
      for (int i = 0; i < n; i++) {
        out[i] = f.applyAsDouble(s, y[i]);
      }
    }
  }

  /** {@code out[i] = f(a[i], b[i], c[i])}, broadcasting operands of length 1 as above. */
  static void map(Ternary f, double[] a, double[] b, double[] c, double[] out) {
    int n = out.length;
    if (a.length == n && b.length == n && c.length == n) {
      for (int i = 0; i < n; i++) {
        out[i] = f.apply(a[i], b[i], c[i]);
      }
    } else {
      int sa = a.length == n ? 1 : 0;
      int sb = b.length == n ? 1 : 0;
      int sc = c.length == n ? 1 : 0;
      for (int i = 0; i < n; i++) {
        out[i] = f.apply(a[i * sa], b[i * sb], c[i * sc]);
      }
    }
  }

  /**
   * Sum of {@code a} in a fixed order: four interleaved lanes ({@code s_k = Σ a[4j+k]}, each in
   * index order), combined as {@code (s0 + s1) + (s2 + s3)}, then the tail in index order. The
   * lanes hide the latency of floating-point addition; the order is fixed by the array alone, so
   * the result is the same on every machine and for every split of the work into arrays.
   */
  static double sum(double[] a) {
    return sum(a, 0, a.length);
  }

  /** {@link #sum(double[])} of {@code a[from, to)}, lanes counted from {@code from}. */
  static double sum(double[] a, int from, int to) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int n = to;
    int i = from;
    for (; i + 3 < n; i += 4) {
      s0 += a[i];
      s1 += a[i + 1];
      s2 += a[i + 2];
      s3 += a[i + 3];
    }
    double s = (s0 + s1) + (s2 + s3);
    for (; i < n; i++) {
      s += a[i];
    }
    return s;
  }
}
