package dev.tapetrain.tape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Loops whose ops choose (comparisons, sign, ReLU) run in two passes per block of samples
 * ({@link BlockedLoopSource}): the first with {@link VectorForms}, the second adding the sums.
 * Their outputs must be the eager tape's bits on every range — blocks and lanes counted from the
 * range's start, a last block shorter than the others, fewer samples than a block, a tail of 0–3
 * — and where a vector form gives NaN (NaN samples, equal infinities) the exact code must decide.
 */
class BlockedLoopTest {

  /** The README's Huber model (delta 1) on one feature, its loss and gradients by the tape. */
  private static final CompiledFunction.Body HUBER = (v, p) -> {
    try (GradientTape tape = new GradientTape()) {
      tape.watch(p[0]);
      tape.watch(p[1]);
      Tensor e = Ops.sub(Ops.add(Ops.matvec(v[0], p[0]), p[1]), v[1]);
      Tensor small = Comparisons.greaterEqual(Tensor.scalar(1.0), Ops.abs(e));
      Tensor quadratic = Ops.mul(Ops.square(e), Tensor.scalar(0.5));
      Tensor linear = Ops.mul(Ops.sub(Ops.abs(e), Tensor.scalar(0.5)), Tensor.scalar(1.0));
      Tensor loss = Ops.sum(Ops.add(Ops.mul(small, quadratic),
          Ops.mul(Ops.sub(Tensor.scalar(1), small), linear)));
      Tensor[] g = tape.gradient(loss, p[0], p[1]);
      return new Tensor[] {loss, g[0], g[1]};
    }
  };

  /** Every op that chooses, each in a sum of its own. */
  private static final CompiledFunction.Body CHOICES = (v, s) -> new Tensor[] {
      Ops.sum(Comparisons.greaterEqual(v[0], v[1])),
      Ops.sum(Comparisons.greater(v[0], s[0])),
      Ops.sum(Comparisons.equal(v[1], v[0])),
      Ops.sum(Ops.mul(Ops.sign(v[0]), v[1])),
      Ops.sum(Ops.relu(Ops.sub(v[1], s[0])))};

  private static final int[] LENGTHS = {0, 1, 2, 3, 4, 5, 7, 8, 511, 512, 513, 515, 516, 1024,
      1027, 1539, 2500};

  @Test
  void huberRunsTheBlockedLoopWithTheEagerBitsOnEveryRange() throws Exception {
    SplittableRandom random = new SplittableRandom(27);
    CompiledFunction f = CompiledFunction.compileRows(HUBER, samples(random, 9),
        new int[] {1, 0}, new double[] {0.75, -0.25}, new int[][] {{1}, {}}, true);
    assertTrue(f.source().contains("LoopScratch.arrays"), "the blocked loop:\n" + f.source());
    double[][] data = samples(random, 2600);
    // Errors of exactly ±delta (the comparison's boundary) and of ±0 (sign's zeros), and large
    // values whose ordered and four-lane sums differ in their last bits.
    for (int i = 0; i < 2600; i += 11) {
      data[1][i] = 0.75 * data[0][i] - 0.25 + (i % 3 - 1);
      data[0][i + 3] = i % 2 == 0 ? -0.0 : 1e8 * random.nextDouble(-1, 1);
    }
    for (double[] p : new double[][] {{0.75, -0.25}, {-0.0, 0.0}, {1e-3, 3.0}}) {
      for (int from : new int[] {0, 3}) {
        for (int length : LENGTHS) {
          double[] eager = eagerRows(data, from, length, p);
          double[] compiled = new double[3];
          f.apply(data, from, from + length, p, compiled);
          assertSameBits(eager, compiled, from + "+" + length + " samples at " + p[0]);
        }
      }
    }
  }

  @Test
  void everyChoiceGivesTheEagerBitsAndNaNsOrEqualInfinitiesLeaveItToTheExactCode()
      throws Exception {
    SplittableRandom random = new SplittableRandom(15);
    CompiledFunction f = CompiledFunction.compile(CHOICES, samples(random, 9), new double[] {0.0});
    assertTrue(f.source().contains("LoopScratch.arrays"), "the blocked loop:\n" + f.source());
    double[][] data = samples(random, 2600);
    double[] special = {0.0, -0.0, Double.MIN_VALUE, -Double.MIN_VALUE, 1.0, Math.nextUp(1.0),
        Double.MAX_VALUE, -Double.MAX_VALUE};
    for (int i = 0; i < 2600; i += 5) {
      data[0][i] = special[i % special.length];
      data[1][i] = special[(i / 5) % special.length];
    }
    for (double s : new double[] {0.0, -0.0, 0.5}) {
      for (int length : LENGTHS) {
        check(f, data, 1, length, s);
      }
    }
    // One NaN, then two equal infinities, in the third block: every exact output is finite.
    data[0][1100] = Double.NaN;
    check(f, data, 0, 2500, 0.0);
    data[0][1100] = Double.POSITIVE_INFINITY;
    data[1][1100] = Double.POSITIVE_INFINITY;
    double[] compiled = check(f, data, 0, 2500, 0.0);
    assertFalse(Double.isNaN(compiled[0]), "inf >= inf is 1, not NaN");
  }

  /** A program with an op that has no vectorisable form keeps the one-pass loop. */
  @Test
  void aProgramWithTanhKeepsTheOnePassLoop() throws Exception {
    CompiledFunction f = CompiledFunction.compile((v, s) -> new Tensor[] {
        Ops.sum(Ops.mul(Comparisons.greater(v[0], s[0]), Ops.tanh(v[1])))},
        samples(new SplittableRandom(1), 9), new double[] {0.0});
    assertFalse(f.source().contains("LoopScratch"), f.source());
  }

  private static double[] check(CompiledFunction f, double[][] data, int from, int length,
      double s) {
    Tensor[] out = CHOICES.apply(new Tensor[] {
        Tensor.vector(Arrays.copyOfRange(data[0], from, from + length)),
        Tensor.vector(Arrays.copyOfRange(data[1], from, from + length))},
        new Tensor[] {Tensor.scalar(s)});
    double[] eager = Arrays.stream(out).mapToDouble(Tensor::item).toArray();
    double[] compiled = new double[eager.length];
    f.apply(data, from, from + length, new double[] {s}, compiled);
    assertSameBits(eager, compiled, from + "+" + length + " samples, s " + s);
    return compiled;
  }

  private static double[] eagerRows(double[][] data, int from, int n, double[] p) {
    Tensor[] out = HUBER.apply(
        new Tensor[] {Tensor.matrix(n, 1, Arrays.copyOfRange(data[0], from, from + n)),
            Tensor.vector(Arrays.copyOfRange(data[1], from, from + n))},
        new Tensor[] {Tensor.vector(p[0]), Tensor.scalar(p[1])});
    return new double[] {out[0].item(), out[1].data[0], out[2].item()};
  }

  private static void assertSameBits(double[] expected, double[] actual, String what) {
    for (int k = 0; k < expected.length; k++) {
      assertEquals(Double.doubleToRawLongBits(expected[k]), Double.doubleToRawLongBits(actual[k]),
          what + ", output " + k + ": " + actual[k] + ", expected " + expected[k]);
    }
  }

  private static double[][] samples(SplittableRandom random, int n) {
    double[][] c = new double[2][n];
    for (int i = 0; i < n; i++) {
      c[0][i] = random.nextDouble(-2, 2);
      c[1][i] = 0.75 * c[0][i] - 0.25 + random.nextDouble(-2, 2);
    }
    return c;
  }
}
