package dev.tapetrain.worker.tape;

/**
 * The numeric loops behind {@link Ops}. Plain arrays in, plain arrays out; no tape logic.
 */
final class Kernels {

  private Kernels() {}

  static final int ADD = 0;
  static final int SUB = 1;
  static final int MUL = 2;
  static final int DIV = 3;

  /**
   * {@code out[i] = x[i] op y[i]}, where an operand of length 1 (and not of {@code out}'s
   * length) is a broadcast scalar. One plain loop per case: no function call per element, so
   * the JIT vectorises each.
   */
  static void binary(int op, double[] x, double[] y, double[] out) {
    int n = out.length;
    if (x.length == n && y.length == n) {
      switch (op) {
        case ADD -> { for (int i = 0; i < n; i++) { out[i] = x[i] + y[i]; } }
        case SUB -> { for (int i = 0; i < n; i++) { out[i] = x[i] - y[i]; } }
        case MUL -> { for (int i = 0; i < n; i++) { out[i] = x[i] * y[i]; } }
        default -> { for (int i = 0; i < n; i++) { out[i] = x[i] / y[i]; } }
      }
    } else if (x.length == n) {
      double s = y[0];
      switch (op) {
        case ADD -> { for (int i = 0; i < n; i++) { out[i] = x[i] + s; } }
        case SUB -> { for (int i = 0; i < n; i++) { out[i] = x[i] - s; } }
        case MUL -> { for (int i = 0; i < n; i++) { out[i] = x[i] * s; } }
        default -> { for (int i = 0; i < n; i++) { out[i] = x[i] / s; } }
      }
    } else {
      double s = x[0];
      switch (op) {
        case ADD -> { for (int i = 0; i < n; i++) { out[i] = s + y[i]; } }
        case SUB -> { for (int i = 0; i < n; i++) { out[i] = s - y[i]; } }
        case MUL -> { for (int i = 0; i < n; i++) { out[i] = s * y[i]; } }
        default -> { for (int i = 0; i < n; i++) { out[i] = s / y[i]; } }
      }
    }
  }

  /** {@code out[i] = (x[i] − y[i])²}, broadcasting as {@link #binary}. */
  static void squaredDifference(double[] x, double[] y, double[] out) {
    int n = out.length;
    if (x.length == n && y.length == n) {
      for (int i = 0; i < n; i++) {
        double d = x[i] - y[i];
        out[i] = d * d;
      }
    } else if (x.length == n) {
      double s = y[0];
      for (int i = 0; i < n; i++) {
        double d = x[i] - s;
        out[i] = d * d;
      }
    } else {
      double s = x[0];
      for (int i = 0; i < n; i++) {
        double d = s - y[i];
        out[i] = d * d;
      }
    }
  }

  /**
   * {@code out[i] = a[i] · b[i] + c[i]}, rounded after the product and after the sum (what
   * {@code mul} then {@code add} give, not a fused multiply-add). An operand of length 1 (and
   * not of {@code out}'s length) is a broadcast scalar.
   */
  static void mulAdd(double[] a, double[] b, double[] c, double[] out) {
    int n = out.length;
    if (a.length == n && b.length == n && c.length == n) {
      for (int i = 0; i < n; i++) {
        out[i] = a[i] * b[i] + c[i];
      }
    } else {
      int sa = a.length == n ? 1 : 0;
      int sb = b.length == n ? 1 : 0;
      int sc = c.length == n ? 1 : 0;
      for (int i = 0; i < n; i++) {
        out[i] = a[i * sa] * b[i * sb] + c[i * sc];
      }
    }
  }

  /**
   * {@code out[i] = g[i] · ((a[i] − b[i]) · 2)}, broadcasting as {@link #mulAdd}: the gradient
   * of a squared difference, in the order {@code mul(g, mul(sub(a, b), 2))} computes it.
   */
  static void twiceDifferenceTimes(double[] g, double[] a, double[] b, double[] out) {
    int n = out.length;
    if (g.length == n && a.length == n && b.length == n) {
      for (int i = 0; i < n; i++) {
        out[i] = g[i] * ((a[i] - b[i]) * 2.0);
      }
    } else {
      int sg = g.length == n ? 1 : 0;
      int sa = a.length == n ? 1 : 0;
      int sb = b.length == n ? 1 : 0;
      for (int i = 0; i < n; i++) {
        out[i] = g[i * sg] * ((a[i * sa] - b[i * sb]) * 2.0);
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
