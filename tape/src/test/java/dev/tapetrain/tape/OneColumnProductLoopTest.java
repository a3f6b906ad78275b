package dev.tapetrain.tape;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A one-feature model whose weights are a vector of one ({@code w} of shape {@code [1]}, as the
 * README's Huber model has): {@code matvec} of its one-column input and {@code vecmat}, the
 * gradient for {@code w}, run in the elementwise loop (not the loop over rows) with the eager
 * tape's bits — {@code vecmat}'s sum in index order, not in four lanes.
 */
class OneColumnProductLoopTest {

  /** Huber loss of {@code x·w + b} against {@code y} (delta 1), and its gradients. */
  private static final CompiledFunction.Body HUBER = (v, p) -> {
    try (GradientTape tape = new GradientTape()) {
      tape.watch(p[0]);
      tape.watch(p[1]);
      Tensor e = Ops.sub(Ops.add(Ops.matvec(v[0], p[0]), p[1]), v[1]);
      Tensor small = Comparisons.greaterEqual(Tensor.scalar(1.0), Ops.abs(e));
      Tensor quadratic = Ops.mul(Ops.square(e), Tensor.scalar(0.5));
      Tensor linear = Ops.sub(Ops.abs(e), Tensor.scalar(0.5));
      Tensor loss = Ops.sum(Ops.add(Ops.mul(small, quadratic),
          Ops.mul(Ops.sub(Tensor.scalar(1), small), linear)));
      Tensor[] g = tape.gradient(loss, p[0], p[1]);
      return new Tensor[] {loss, g[0], g[1]};
    }
  };

  @Test
  void aWeightVectorOfOneRunsTheElementwiseLoopWithTheEagerBits() throws Exception {
    SplittableRandom random = new SplittableRandom(11);
    int n = 9;
    double[][] columns = columns(random, n);
    double[] params = {0.75, -0.25};
    CompiledFunction f = CompiledFunction.compileRows(HUBER, columns, new int[] {1, 0}, params,
        new int[][] {{1}, {}}, true);
    String source = f.source();
    assertTrue(source.contains("v0[j] * s0"), "the product in the elementwise loop:\n" + source);
    assertFalse(source.contains("gather"), "not the loop over rows:\n" + source);
    int total = 1000;
    double[][] data = columns(random, total);
    // Large values make the ordered sum and a four-lane one differ in their last bits; zeros of
    // both signs in x and w test the product's 0.0 + a·w.
    for (int i = 0; i < total; i += 7) {
      data[0][i] = i % 2 == 0 ? -0.0 : 1e8 * random.nextDouble(-1, 1);
    }
    for (double[] p : new double[][] {params, {-0.0, 0.0}, {1e-3, 3.0}}) {
      for (int length : new int[] {0, 1, 3, 4, 5, 8, 13, 301, 1000}) {
        double[] compiled = new double[3];
        f.apply(data, 0, length, p, compiled);
        assertArrayEquals(eager(data, length, p), compiled, 0.0, length + " samples");
        for (int k = 0; k < 3; k++) {
          assertTrue(Double.doubleToRawLongBits(eager(data, length, p)[k])
              == Double.doubleToRawLongBits(compiled[k]), "output " + k + " bit for bit");
        }
      }
    }
  }

  /** The branch-free sign the loops and {@code Ops.sign} use is {@link Math#signum}, bit for bit. */
  @Test
  void signIsMathSignumBitForBit() {
    double[] special = {0.0, -0.0, 1.0, -1.0, Double.MIN_VALUE, -Double.MIN_VALUE,
        Double.MIN_NORMAL, -Double.MAX_VALUE, Double.POSITIVE_INFINITY,
        Double.NEGATIVE_INFINITY, Double.NaN, Double.longBitsToDouble(0x7ff0_0000_0000_0123L),
        Double.longBitsToDouble(0xfff8_0000_0000_0001L)};
    for (double d : special) {
      assertSameBits(Math.signum(d), Arithmetic.sign(d), d);
    }
    SplittableRandom random = new SplittableRandom(3);
    for (int i = 0; i < 1_000_000; i++) {
      double d = Double.longBitsToDouble(random.nextLong());
      assertSameBits(Math.signum(d), Arithmetic.sign(d), d);
    }
  }

  /** The branch-free ReLU is {@code a > 0 ? a : 0.0}, bit for bit. */
  @Test
  void reluIsTheChoiceBitForBit() {
    double[] special = {0.0, -0.0, 1.0, -1.0, Double.MIN_VALUE, -Double.MIN_VALUE,
        Double.MAX_VALUE, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN};
    for (double d : special) {
      assertSameBits(d > 0 ? d : 0.0, Arithmetic.relu(d), d);
    }
    SplittableRandom random = new SplittableRandom(4);
    for (int i = 0; i < 1_000_000; i++) {
      double d = Double.longBitsToDouble(random.nextLong());
      assertSameBits(d > 0 ? d : 0.0, Arithmetic.relu(d), d);
    }
  }

  private static void assertSameBits(double expected, double actual, double of) {
    if (Double.doubleToRawLongBits(expected) != Double.doubleToRawLongBits(actual)) {
      throw new AssertionError("at " + of + " (0x" + Long.toHexString(
          Double.doubleToRawLongBits(of)) + "): " + actual + ", expected " + expected);
    }
  }

  private static double[] eager(double[][] data, int n, double[] p) {
    Tensor[] out = HUBER.apply(
        new Tensor[] {Tensor.matrix(n, 1, Arrays.copyOf(data[0], n)),
            Tensor.vector(Arrays.copyOf(data[1], n))},
        new Tensor[] {Tensor.vector(p[0]), Tensor.scalar(p[1])});
    return new double[] {out[0].item(), out[1].data[0], out[2].item()};
  }

  private static double[][] columns(SplittableRandom random, int n) {
    double[][] c = new double[2][n];
    for (int i = 0; i < n; i++) {
      c[0][i] = random.nextDouble(-2, 2);
      c[1][i] = 3 * c[0][i] + random.nextDouble(-2, 2);
    }
    return c;
  }
}
