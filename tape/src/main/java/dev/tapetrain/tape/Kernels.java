package dev.tapetrain.tape;

/**
 * The numeric loops behind {@link Ops}: a loop per elementwise {@link OpKind} calling its
 * {@link Arithmetic} method, a map of any function for the one-input ops without a kind
 * ({@code abs}, {@code relu}, {@code log1p}), and the fixed-order sum. Plain arrays in, plain
 * arrays out; no tape logic.
 *
 * <p>Why a loop per kind, when {@link #map} could run them all: a loop shared by every op calls
 * the op through an interface, and where the JIT has seen many ops at that call it neither
 * inlines nor vectorises it (HotSpot's inlining log: "virtual call" inside {@code map}, and
 * {@code Ops.binary} "already compiled into a big method" wherever an op could have made the
 * function a constant). Measured against that shared loop, interleaved: an MLP step 0.90x, a
 * logistic regression step 0.82x. The arithmetic is still written once, in
 * {@link Arithmetic}; {@code KernelsTest} checks every kind's loop against its method.
 */
final class Kernels {

  private Kernels() {}

  /**
   * {@code out[i] = kind(x[i])} ({@code param}: POW's exponent), for every one-input elementwise
   * kind; false for any other kind (the caller maps its function).
   */
  static boolean unary(OpKind kind, double param, double[] x, double[] out) {
    int n = out.length;
    switch (kind) {
      case NEG -> {
        for (int i = 0; i < n; i++) {
          out[i] = Arithmetic.neg(x[i]);
        }
      }
      case ROW_SUM_OF_ONE -> {
        for (int i = 0; i < n; i++) {
          out[i] = Arithmetic.rowSumOfOne(x[i]);
        }
      }
      case SQUARE -> {
        for (int i = 0; i < n; i++) {
          out[i] = Arithmetic.square(x[i]);
        }
      }
      case SQRT -> {
        for (int i = 0; i < n; i++) {
          out[i] = Arithmetic.sqrt(x[i]);
        }
      }
      case EXP -> {
        for (int i = 0; i < n; i++) {
          out[i] = Arithmetic.exp(x[i]);
        }
      }
      case LOG -> {
        for (int i = 0; i < n; i++) {
          out[i] = Arithmetic.log(x[i]);
        }
      }
      case TANH -> {
        for (int i = 0; i < n; i++) {
          out[i] = Arithmetic.tanh(x[i]);
        }
      }
      case SIGMOID -> {
        for (int i = 0; i < n; i++) {
          out[i] = Arithmetic.sigmoid(x[i]);
        }
      }
      case POW -> {
        for (int i = 0; i < n; i++) {
          out[i] = Arithmetic.pow(x[i], param);
        }
      }
      default -> {
        return false;
      }
    }
    return true;
  }

  /**
   * {@code out[i] = kind(x[i], y[i])}, an operand of length 1 (and not of {@code out}'s length)
   * broadcast, for a two-input elementwise kind (every two-input op has one).
   */
  static void binary(OpKind kind, double[] x, double[] y, double[] out) {
    int n = out.length;
    int sx = x.length == n ? 1 : 0;
    int sy = y.length == n ? 1 : 0;
    switch (kind) {
      case ADD -> {
        for (int i = 0; i < n; i++) {
          out[i] = Arithmetic.add(x[i * sx], y[i * sy]);
        }
      }
      case SUB -> {
        for (int i = 0; i < n; i++) {
          out[i] = Arithmetic.sub(x[i * sx], y[i * sy]);
        }
      }
      case MUL -> {
        for (int i = 0; i < n; i++) {
          out[i] = Arithmetic.mul(x[i * sx], y[i * sy]);
        }
      }
      case DIV -> {
        for (int i = 0; i < n; i++) {
          out[i] = Arithmetic.div(x[i * sx], y[i * sy]);
        }
      }
      case SQUARED_DIFFERENCE -> {
        for (int i = 0; i < n; i++) {
          out[i] = Arithmetic.squaredDifference(x[i * sx], y[i * sy]);
        }
      }
      case TANH_BACKWARD -> {
        for (int i = 0; i < n; i++) {
          out[i] = Arithmetic.tanhBackward(x[i * sx], y[i * sy]);
        }
      }
      default -> throw new IllegalArgumentException("no two-input loop for " + kind);
    }
  }

  /** {@code out[i] = kind(a[i], b[i], c[i])}, broadcasting as above, for a three-input kind. */
  static void ternary(OpKind kind, double[] a, double[] b, double[] c, double[] out) {
    int n = out.length;
    int sa = a.length == n ? 1 : 0;
    int sb = b.length == n ? 1 : 0;
    int sc = c.length == n ? 1 : 0;
    switch (kind) {
      case MUL_ADD -> {
        for (int i = 0; i < n; i++) {
          out[i] = Arithmetic.mulAdd(a[i * sa], b[i * sb], c[i * sc]);
        }
      }
      case TWICE_DIFFERENCE_TIMES -> {
        for (int i = 0; i < n; i++) {
          out[i] = Arithmetic.twiceDifferenceTimes(a[i * sa], b[i * sb], c[i * sc]);
        }
      }
      default -> throw new IllegalArgumentException("no three-input loop for " + kind);
    }
  }

  /** {@code out[i] = f(x[i])}. */
  static void map(java.util.function.DoubleUnaryOperator f, double[] x, double[] out) {
    for (int i = 0; i < out.length; i++) {
      out[i] = f.applyAsDouble(x[i]);
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
