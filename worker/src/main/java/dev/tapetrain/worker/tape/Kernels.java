package dev.tapetrain.worker.tape;

/**
 * The numeric loops behind {@link Ops}. Plain arrays in, plain arrays out; no tape logic.
 */
final class Kernels {

  private Kernels() {}

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
