package dev.tapetrain.tape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The products of sample inputs the row loop computes a block of samples at a time
 * ({@link BlockProducts}) and the weight gradients it flushes a block at a time give the eager
 * tape's bits: each element starts at 0.0 and adds its products in order of the inner index,
 * each weight-gradient element adds sample after sample.
 */
class BlockProductsTest {

  /** Samples a block holds ({@code RowLoopGenerator.BLOCK}). */
  private static final int BLOCK = 128;

  /**
   * Per sample {@code z = x·W + b} and {@code z2 = x1·W2} (a wide input and a one-column one),
   * a loss of their {@code tanh} summed, its gradients and a count of the elements whose
   * {@code 1/z} is positive: widths that neither the four-feature passes nor the tiles divide
   * (17, 19, 33 features: products by blocks; 11, 13, 17 units), ranges of 0 to 3 samples and
   * around one and two blocks
   * (a block's remainder of one sample), starting at sample 3. Some samples are all -0.0 and
   * unit 0's weights positive with a bias of -0.0: its {@code z} is {@code 0.0 + (-0.0)} = +0.0
   * as the eager product gives it, where a sum started from the first product would be -0.0,
   * and the count tells {@code 1/z} = +∞ from −∞.
   */
  @Test
  void productsAndWeightGradientsOfUnevenWidthsAndBlocksAreTheEagerTapesBits() throws Exception {
    assertBitIdentical(17, 13, 1);
    assertBitIdentical(19, 17, 2);
    assertBitIdentical(33, 11, 3);
  }

  private static final CompiledFunction.Body BODY = (v, p) -> {
    try (GradientTape tape = new GradientTape()) {
      tape.watch(p[0]);
      tape.watch(p[1]);
      tape.watch(p[2]);
      Tensor z = MatrixOps.dense(v[0], p[0], p[1]);
      Tensor z2 = MatrixOps.matmul(MatrixOps.column(v[1]), p[2]);
      Tensor loss = Ops.add(Ops.sum(MatrixOps.rowSum(Ops.tanh(z))),
          Ops.sum(MatrixOps.rowSum(Ops.tanh(z2))));
      Tensor[] g = tape.gradient(loss, p[0], p[1], p[2]);
      Tensor one = Tensor.scalar(1.0);
      Tensor zero = Tensor.scalar(0.0);
      Tensor positive = Ops.sum(MatrixOps.rowSum(Comparisons.greater(Ops.div(one, z), zero)));
      Tensor positive2 = Ops.sum(MatrixOps.rowSum(Comparisons.greater(Ops.div(one, z2), zero)));
      return new Tensor[] {loss, g[0], g[1], g[2], positive, positive2};
    }
  };

  private static void assertBitIdentical(int features, int units, long seed) throws Exception {
    SplittableRandom random = new SplittableRandom(seed);
    int[][] shapes = {{features, units}, {units}, {1, units}};
    CompiledFunction f = CompiledFunction.compileRows(BODY, columns(random, features, 11),
        new int[] {features, 0}, params(random, features, units), shapes, true);
    assertTrue(f.source().contains(" · W: each element 0.0"), f.source());
    int[] lengths = {0, 1, 2, 3, BLOCK - 1, BLOCK, BLOCK + 1, 2 * BLOCK + 1};
    int from = 3;
    int total = from + Arrays.stream(lengths).sum();
    double[][] data = columns(random, features, total);
    for (int round = 0; round < 2; round++) {
      double[] p = params(random, features, units);
      double[] out = new double[f.outputCount() * lengths.length];
      f.applySegments(data, from, lengths, p, out);
      int start = from;
      for (int s = 0; s < lengths.length; s++) {
        double[] eager = eager(data, start, lengths[s], features, units, p);
        for (int k = 0; k < eager.length; k++) {
          double compiled = out[s * eager.length + k];
          assertEquals(Double.doubleToRawLongBits(eager[k]), Double.doubleToRawLongBits(compiled),
              features + " features, " + units + " units, " + lengths[s] + " samples, output "
                  + k + ": eager " + eager[k] + ", compiled " + compiled);
        }
        start += lengths[s];
      }
    }
  }

  /** The outputs of {@link #BODY} on samples {@code from} to {@code from + n - 1}, flattened. */
  private static double[] eager(double[][] data, int from, int n, int features, int units,
      double[] p) {
    double[] rowMajor = new double[n * features];
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < features; c++) {
        rowMajor[i * features + c] = data[c][from + i];
      }
    }
    int w = features * units;
    try (TensorScope scope = TensorScope.open()) {
      Tensor[] out = BODY.apply(
          new Tensor[] {Tensor.matrix(n, features, rowMajor),
              Tensor.vector(Arrays.copyOfRange(data[features], from, from + n))},
          new Tensor[] {Tensor.matrix(features, units, Arrays.copyOf(p, w)),
              Tensor.vector(Arrays.copyOfRange(p, w, w + units)),
              Tensor.matrix(1, units, Arrays.copyOfRange(p, w + units, p.length))});
      return Arrays.stream(out).flatMapToDouble(t -> Arrays.stream(t.data)).toArray();
    }
  }

  /**
   * The features' columns and the one-column input's: values in [-2, 2), every seventh sample
   * all -0.0.
   */
  private static double[][] columns(SplittableRandom random, int features, int n) {
    double[][] c = new double[features + 1][n];
    for (int i = 0; i < n; i++) {
      for (double[] column : c) {
        column[i] = i % 7 == 5 ? -0.0 : random.nextDouble(-2, 2);
      }
    }
    return c;
  }

  /** W, b and W2, flattened: unit 0's weights positive and its bias -0.0, W2 positive. */
  private static double[] params(SplittableRandom random, int features, int units) {
    double[] p = new double[features * units + 2 * units];
    for (int i = 0; i < p.length; i++) {
      boolean positive = i < features * units ? i % units == 0 : i >= features * units + units;
      p[i] = positive ? random.nextDouble(0.1, 1) : random.nextDouble(-1, 1);
    }
    p[features * units] = -0.0;
    return p;
  }
}
