package dev.tapetrain.tape;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Comparisons and {@code rowArgmax}: eagerly what Java's operators and a plain first-maximum
 * loop give (NaNs and ties included), no gradient through them, and compiled into a loop over
 * rows whose counts are the eager ones bit for bit; an op the loop computes twice on the same
 * values is emitted once.
 */
class ComparisonsTest {

  private static final double NAN = Double.NaN;

  @Test
  void comparisonsAreJavasOperatorsAsZeroOrOne() {
    double[] a = {1, 2, 3, NAN, -0.0, 5};
    double[] b = {1, 3, 2, NAN, 0.0, NAN};
    Tensor x = Tensor.vector(a);
    Tensor y = Tensor.vector(b);
    double[] equal = new double[a.length];
    double[] greater = new double[a.length];
    double[] greaterEqual = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      equal[i] = a[i] == b[i] ? 1 : 0;
      greater[i] = a[i] > b[i] ? 1 : 0;
      greaterEqual[i] = a[i] >= b[i] ? 1 : 0;
    }
    assertArrayEquals(equal, Comparisons.equal(x, y).toArray());
    assertArrayEquals(greater, Comparisons.greater(x, y).toArray());
    assertArrayEquals(greaterEqual, Comparisons.greaterEqual(x, y).toArray());
    assertArrayEquals(new double[] {0, 1, 1, 0, 0, 1},
        Comparisons.greater(x, Tensor.scalar(1.5)).toArray(), "a scalar broadcasts");
  }

  @Test
  void rowArgmaxIsTheFirstLargestColumn() {
    Tensor scores = Tensor.matrix(5, 3, new double[] {
        1, 3, 2,
        4, 4, 4,     // ties: the first
        NAN, 1, 0,   // NaN first: nothing beats it (NaN > x is false, x > NaN too)
        0, NAN, 2,   // NaN later: never the largest
        -1, -3, -1});
    assertArrayEquals(new double[] {1, 0, 0, 2, 0}, MatrixOps.rowArgmax(scores).toArray());
  }

  @Test
  void noGradientFlowsThroughAComparison() {
    Tensor w = Tensor.vector(1.0, -2.0, 3.0);
    try (GradientTape tape = new GradientTape()) {
      tape.watch(w);
      Tensor count = Ops.sum(Comparisons.greater(w, Tensor.scalar(0.0)));
      assertEquals(2.0, count.item());
      assertNull(tape.gradient(count, w), "a count does not depend on w");
    }
  }

  @Test
  void compiledCountsAreTheEagerOnesBitForBit() throws Exception {
    SplittableRandom random = new SplittableRandom(5);
    int features = 4;
    int k = 3;
    // Accuracy of x·w + b against labels, how many scores of class 0 are ≥ 0, and the logits
    // computed twice (as a model's loss and metric each do): one product in the loop.
    CompiledFunction.Body body = (v, p) -> {
      Tensor argmax = MatrixOps.rowArgmax(MatrixOps.dense(v[0], p[0], p[1]));
      Tensor nonNegative = Comparisons.greaterEqual(
          MatrixOps.rowSum(MatrixOps.dense(v[0], p[0], p[1])), Tensor.scalar(0.0));
      return new Tensor[] {Ops.sum(Comparisons.equal(argmax, v[1])), Ops.sum(nonNegative)};
    };
    int n = 11;
    double[][] columns = columns(random, features, k, n);
    double[] params = new double[features * k + k];
    for (int i = 0; i < params.length; i++) {
      params[i] = random.nextDouble(-1, 1);
    }
    CompiledFunction f = CompiledFunction.compileRows(body, columns, new int[] {features, 0},
        params, new int[][] {{features, k}, {k}}, true);
    String source = f.source();
    // A product reads each input element once into xt (per sample), or is a block of its own
    // (a sample input's product, a block of samples at a time).
    assertEquals(1, source.split("final double xt = |\\{ // \\w+ = \\w+ · W", -1).length - 1,
        "one product:\n" + source);
    int total = 300;
    double[][] data = columns(random, features, k, total);
    for (double[] p : new double[][] {params, new double[params.length]}) { // zeros: all tied
      for (int length : new int[] {0, 1, 3, 4, 5, 8, 13, 300}) {
        double[] compiled = new double[2];
        f.apply(data, 0, length, p, compiled);
        assertArrayEquals(eager(body, data, length, features, k, p), compiled, 0.0,
            length + " samples");
      }
    }
  }

  private static double[] eager(CompiledFunction.Body body, double[][] data, int n, int features,
      int k, double[] p) {
    double[] rowMajor = new double[n * features];
    for (int i = 0; i < n; i++) {
      for (int f = 0; f < features; f++) {
        rowMajor[i * features + f] = data[f][i];
      }
    }
    Tensor[] out = body.apply(
        new Tensor[] {Tensor.matrix(n, features, rowMajor),
            Tensor.vector(Arrays.copyOf(data[features], n))},
        new Tensor[] {Tensor.matrix(features, k, Arrays.copyOf(p, features * k)),
            Tensor.vector(Arrays.copyOfRange(p, features * k, p.length))});
    return new double[] {out[0].item(), out[1].item()};
  }

  private static double[][] columns(SplittableRandom random, int features, int k, int n) {
    double[][] c = new double[features + 1][n];
    for (int i = 0; i < n; i++) {
      for (int f = 0; f < features; f++) {
        c[f][i] = random.nextDouble(-2, 2);
      }
      c[features][i] = random.nextInt(k);
    }
    return c;
  }
}
