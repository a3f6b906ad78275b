package dev.tapetrain.tape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A compiled function must give, bit for bit, what running its ops eagerly gives on the same
 * elements, for any range (tails of 0–3 elements included), and must refuse what one loop cannot
 * compute instead of computing something else.
 */
class CompiledFunctionTest {

  /** The linear model's loss sum and its gradients by the tape. */
  private static final CompiledFunction.Body LINEAR = (v, s) -> {
    try (GradientTape tape = new GradientTape()) {
      tape.watch(s[0], s[1]);
      Tensor loss = Ops.sum(Ops.squaredDifference(Ops.mulAdd(v[0], s[0], s[1]), v[1]));
      Tensor[] g = tape.gradient(loss, s[0], s[1]);
      return new Tensor[] {loss, g[0], g[1]};
    }
  };

  /** Many kinds of op, broadcasting both ways, and a gradient reaching a scalar by two paths. */
  private static final CompiledFunction.Body MIXED = (v, s) -> {
    try (GradientTape tape = new GradientTape()) {
      tape.watch(s[0], s[1]);
      Tensor a = Ops.tanh(Ops.add(Ops.mul(v[0], s[0]), s[1]));
      Tensor b = Ops.div(Ops.exp(Ops.neg(Ops.square(v[1]))), Ops.add(Ops.sqrt(
          Ops.add(Ops.square(v[0]), Tensor.scalar(1.0))), s[0]));
      Tensor c = Ops.log(Ops.add(Ops.pow(Ops.sub(Tensor.scalar(3.0), a), 1.5), b));
      Tensor loss = Ops.sum(Ops.sub(Ops.mul(c, s[1]), Ops.squaredDifference(s[0], v[1])));
      Tensor[] g = tape.gradient(loss, s[0], s[1]);
      return new Tensor[] {loss, g[0], g[1], Ops.mul(Ops.sum(b), s[1])};
    }
  };

  /** A second derivative: d²/dw² of the linear loss, through nested tapes. */
  private static final CompiledFunction.Body SECOND = (v, s) -> {
    try (GradientTape outer = new GradientTape()) {
      outer.watch(s[0]);
      Tensor dw;
      try (GradientTape inner = new GradientTape()) {
        inner.watch(s[0]);
        Tensor loss = Ops.sum(Ops.squaredDifference(Ops.mulAdd(v[0], s[0], s[1]), v[1]));
        dw = inner.gradient(loss, s[0]);
      }
      return new Tensor[] {dw, outer.gradient(dw, s[0])};
    }
  };

  @Test
  void linearModelMatchesTheTapeBitForBitOnEveryRange() throws Exception {
    assertMatchesEager(LINEAR, 2, new double[] {5.0, 10.0}, 7);
  }

  @Test
  void manyKindsOfOpMatchTheTapeBitForBit() throws Exception {
    assertMatchesEager(MIXED, 2, new double[] {0.7, -1.3}, 11);
  }

  @Test
  void secondDerivativesThroughNestedTapesMatchTheTapeBitForBit() throws Exception {
    assertMatchesEager(SECOND, 2, new double[] {1.5, 0.5}, 13);
  }

  @Test
  void segmentsGiveEachSegmentsOwnBits() throws Exception {
    Random random = new Random(17);
    double[] scalars = {-2.0, 0.25};
    CompiledFunction f = CompiledFunction.compile(LINEAR, data(32, random), scalars);
    double[][] v = data(200, random);
    int[] lengths = {64, 0, 3, 1, 37, 95};
    double[] out = new double[3 * lengths.length];
    f.applySegments(v, lengths, scalars, out);
    int from = 0;
    for (int s = 0; s < lengths.length; s++) {
      double[] expected = eager(LINEAR, v, from, from + lengths[s], scalars);
      for (int k = 0; k < 3; k++) {
        assertEquals(Double.doubleToLongBits(expected[k]),
            Double.doubleToLongBits(out[3 * s + k]), "segment " + s + " output " + k);
      }
      from += lengths[s];
    }
    assertThrows(IndexOutOfBoundsException.class,
        () -> f.applySegments(v, new int[] {150, 51}, scalars, new double[6]));
    assertThrows(IndexOutOfBoundsException.class,
        () -> f.apply(v, 10, 201, scalars, new double[3]));
    assertThrows(IllegalArgumentException.class,
        () -> f.apply(v, 0, 10, new double[] {1.0}, new double[3]));
  }

  @Test
  void linearModelAgreesWithTheClosedForm() throws Exception {
    double[][] xy = data(1000, new Random(3));
    double w = 2.5;
    double b = -0.75;
    CompiledFunction f = CompiledFunction.compile(LINEAR, xy, new double[] {w, b});
    double[] out = new double[3];
    f.apply(xy, 100, 900, new double[] {w, b}, out);
    double loss = 0;
    double gw = 0;
    double gb = 0;
    for (int i = 100; i < 900; i++) {
      double e = w * xy[0][i] + b - xy[1][i];
      loss += e * e;
      gw += 2 * e * xy[0][i];
      gb += 2 * e;
    }
    // Different summation orders: agree to a few ulps of the sums' magnitude.
    assertEquals(loss, out[0], 1e-12 * Math.abs(loss));
    assertEquals(gw, out[1], 1e-10 * Math.max(1, Math.abs(gw)));
    assertEquals(gb, out[2], 1e-10 * Math.max(1, Math.abs(gb)));
  }

  @Test
  void refusesWhatOneLoopCannotCompute() {
    double[][] xy = data(16, new Random(5));
    double[] ws = {1.0, 2.0};
    assertRefused("number of elements", (v, s) -> new Tensor[] {Ops.mean(v[0])}, xy, ws);
    assertRefused("two passes",
        (v, s) -> new Tensor[] {Ops.sum(Ops.mul(v[0], Ops.sum(v[1])))}, xy, ws);
    assertRefused("scalars", (v, s) -> new Tensor[] {Ops.mul(v[0], s[0])}, xy, ws);
    assertRefused("not fused",
        (v, s) -> new Tensor[] {Ops.sum(Ops.segmentSum(v[0], new int[] {v[0].size()}))}, xy, ws);
    Tensor captured = Tensor.vector(xy[1]);
    assertRefused("did not take",
        (v, s) -> new Tensor[] {Ops.sum(Ops.mul(v[0], captured))}, xy, ws);
    Variable var = new Variable("w", Tensor.scalar(2.0));
    assertRefused("Variable", (v, s) -> new Tensor[] {Ops.sum(Ops.mul(v[0], var))}, xy, ws);
  }

  @Test
  void generatedLoopKeepsTheDocumentedLaneOrder() throws Exception {
    // The sum of these values depends on the order of the additions (1 is half an ulp of 1e16),
    // so equality with Kernels.sum checks the order, not just the arithmetic.
    double[] x = {1e16, 1, 1, 1, 1, -1e16, 1, 1, 1, 1, 1};
    double[] expected = {Kernels.sum(x)};
    CompiledFunction f = CompiledFunction.compile((v, s) -> new Tensor[] {Ops.sum(v[0])},
        new double[][] {x}, new double[0]);
    double[] out = new double[1];
    f.apply(new double[][] {x}, 0, x.length, new double[0], out);
    assertEquals(expected[0], out[0], 0.0);
    double runningSum = 0;
    for (double d : x) {
      runningSum += d;
    }
    assertTrue(runningSum != out[0], "the data must tell the orders apart");
  }

  /** A one-feature model as models write it: {@code x [n, 1]}, its row sums, squared error. */
  private static final CompiledFunction.Body ONE_COLUMN = (v, s) -> {
    try (GradientTape tape = new GradientTape()) {
      tape.watch(s[0], s[1]);
      Tensor prediction = Ops.mulAdd(MatrixOps.rowSum(v[0]), s[0], s[1]);
      Tensor loss = Ops.sum(Ops.squaredDifference(prediction, v[1]));
      Tensor[] g = tape.gradient(loss, s[0], s[1]);
      return new Tensor[] {loss, g[0], g[1]};
    }
  };

  /**
   * Row sums of a column that depends on a watched scalar (so the gradient runs through the
   * backward rules of {@code rowSum} and {@code column}), and a reciprocal that tells +0.0 from
   * −0.0: a loop that read the row sum of {@code −0.0} as {@code −0.0} would give −∞ for +∞.
   */
  private static final CompiledFunction.Body SIGNED_ZEROS = (v, s) -> {
    try (GradientTape tape = new GradientTape()) {
      tape.watch(s[0]);
      Tensor rows = MatrixOps.rowSum(MatrixOps.column(Ops.mul(v[1], s[0])));
      Tensor reciprocals = Ops.div(Tensor.scalar(1.0), MatrixOps.rowSum(v[0]));
      Tensor loss = Ops.sum(Ops.add(Ops.square(rows), reciprocals));
      return new Tensor[] {loss, tape.gradient(loss, s[0]), Ops.sum(reciprocals)};
    }
  };

  @Test
  void oneColumnInputsAndTheirRowSumsCompileToTheEagerBits() throws Exception {
    boolean[] columns = {true, false};
    Random random = new Random(19);
    double[] scalars = {-1.5, 0.0};
    CompiledFunction f = CompiledFunction.compile(ONE_COLUMN, data(64, random), columns, scalars,
        true);
    // Its sign of zero reaches no output (products and sums, then squares and sums): the loop
    // reads x itself; the signed zeros below check that this changes no bit.
    assertTrue(!f.source().contains("rowSumOfOne"), f.source());
    double[][] v = data(301, random);
    v[0][3] = -0.0;
    v[0][4] = 0.0;
    v[1][4] = -0.0;
    for (int[] range : List.of(new int[] {0, 301}, new int[] {3, 5}, new int[] {4, 5},
        new int[] {2, 9}, new int[] {1, 4}, new int[] {17, 300})) {
      assertSameBits(eager(ONE_COLUMN, v, columns, range[0], range[1], scalars), f, v, range,
          scalars);
    }
  }

  @Test
  void rowSumsOfOneColumnKeepTheSignOfZeroAsTheEagerOpAndDifferentiate() throws Exception {
    boolean[] columns = {true, false};
    double[] scalars = {0.5};
    double[][] example = {{1.0, -0.0, 2.0, 0.0, -3.0}, {1.0, 2.0, -0.0, 4.0, 5.0}};
    CompiledFunction f = CompiledFunction.compile(SIGNED_ZEROS, example, columns, scalars, true);
    assertTrue(f.source().contains("rowSumOfOne(v0[j])"), "kept for the reciprocal\n"
        + f.source());
    double[] all = eager(SIGNED_ZEROS, example, columns, 0, 5, scalars);
    assertEquals(Double.POSITIVE_INFINITY, all[2], "eagerly the row sum of -0.0 is +0.0");
    for (int[] range : List.of(new int[] {0, 5}, new int[] {1, 2}, new int[] {2, 5})) {
      assertSameBits(eager(SIGNED_ZEROS, example, columns, range[0], range[1], scalars), f,
          example, range, scalars);
    }
  }

  @Test
  void aRefusalNamesTheOpItCannotFuse() {
    double[][] xy = data(16, new Random(5));
    double[] ws = {1.0, 2.0};
    assertRefused("op segmentSum is not fused",
        (v, s) -> new Tensor[] {Ops.sum(Ops.segmentSum(v[0], new int[] {v[0].size()}))}, xy, ws);
    // A one-column product is fused with a vector of one that is an input, not a constant.
    assertRefused("the function uses a tensor of shape [1] it did not take as an input",
        (v, s) -> new Tensor[] {
        Ops.sum(Ops.matvec(MatrixOps.column(v[0]), Tensor.vector(2.0)))}, xy, ws);
    assertRefused("op outer is not fused", (v, s) -> new Tensor[] {
        Ops.sum(MatrixOps.rowSum(Ops.outer(v[0], Tensor.vector(2.0))))}, xy, ws);
    assertRefused("op repeatColumns is not fused", (v, s) -> new Tensor[] {
        Ops.sum(MatrixOps.rowSum(MatrixOps.repeatColumns(v[0], 2)))}, xy, ws);
  }

  private static void assertSameBits(double[] expected, CompiledFunction f, double[][] v,
      int[] range, double[] scalars) {
    double[] actual = new double[expected.length];
    f.apply(v, range[0], range[1], scalars, actual);
    for (int k = 0; k < expected.length; k++) {
      assertEquals(Double.doubleToRawLongBits(expected[k]), Double.doubleToRawLongBits(actual[k]),
          "output " + k + " over " + Arrays.toString(range) + ": " + expected[k] + " vs "
              + actual[k] + "\n" + f.source());
    }
  }

  /** {@link #eager} with the vectors flagged in {@code columns} passed as {@code [n, 1]}. */
  private static double[] eager(CompiledFunction.Body body, double[][] v, boolean[] columns,
      int from, int to, double[] scalars) {
    Tensor[] vs = new Tensor[v.length];
    for (int k = 0; k < v.length; k++) {
      double[] range = Arrays.copyOfRange(v[k], from, to);
      vs[k] = columns[k] ? Tensor.matrix(to - from, 1, range) : Tensor.vector(range);
    }
    Tensor[] ss = new Tensor[scalars.length];
    for (int k = 0; k < ss.length; k++) {
      ss[k] = Tensor.scalar(scalars[k]);
    }
    Tensor[] out = body.apply(vs, ss);
    double[] values = new double[out.length];
    for (int k = 0; k < out.length; k++) {
      values[k] = out[k].item();
    }
    return values;
  }

  private static void assertRefused(String reason, CompiledFunction.Body body, double[][] v,
      double[] s) {
    NotCompilableException e = assertThrows(NotCompilableException.class,
        () -> CompiledFunction.compile(body, v, s));
    assertTrue(e.getMessage().contains(reason), e.getMessage());
  }

  /** Compiles on one example, then compares with eager runs on other data and many ranges. */
  /** Every elementwise kind, as its public op; a kind missing here fails the walk below. */
  private static final java.util.Map<OpKind, java.util.function.Function<Tensor[], Tensor>> OPS =
      java.util.Map.ofEntries(
          java.util.Map.entry(OpKind.ADD, t -> Ops.add(t[0], t[1])),
          java.util.Map.entry(OpKind.SUB, t -> Ops.sub(t[0], t[1])),
          java.util.Map.entry(OpKind.MUL, t -> Ops.mul(t[0], t[1])),
          java.util.Map.entry(OpKind.DIV, t -> Ops.div(t[0], t[1])),
          java.util.Map.entry(OpKind.MUL_ADD, t -> Ops.mulAdd(t[0], t[1], t[2])),
          java.util.Map.entry(OpKind.SQUARED_DIFFERENCE, t -> Ops.squaredDifference(t[0], t[1])),
          java.util.Map.entry(OpKind.TWICE_DIFFERENCE_TIMES,
              t -> Ops.twiceDifferenceTimes(t[0], t[1], t[2])),
          java.util.Map.entry(OpKind.NEG, t -> Ops.neg(t[0])),
          java.util.Map.entry(OpKind.SQUARE, t -> Ops.square(t[0])),
          java.util.Map.entry(OpKind.SQRT, t -> Ops.sqrt(t[0])),
          java.util.Map.entry(OpKind.EXP, t -> Ops.exp(t[0])),
          java.util.Map.entry(OpKind.LOG, t -> Ops.log(t[0])),
          java.util.Map.entry(OpKind.TANH, t -> Ops.tanh(t[0])),
          java.util.Map.entry(OpKind.TANH_BACKWARD, t -> Ops.tanhBackward(t[0], t[1])),
          java.util.Map.entry(OpKind.SIGMOID, t -> Ops.sigmoid(t[0])),
          // Seen through a reciprocal: where no output can tell −0.0 from +0.0, the loop reads
          // the element itself instead of 0 + a.
          java.util.Map.entry(OpKind.ROW_SUM_OF_ONE, t -> Ops.div(Tensor.scalar(1.0),
              MatrixOps.rowSum(MatrixOps.column(t[0])))),
          java.util.Map.entry(OpKind.POW, t -> Ops.pow(t[0], 1.7)));

  /**
   * Every elementwise op kind, forward and backward, on vectors and on a scalar broadcast from
   * either side: the compiled loop calls the kind's {@link Arithmetic} method and gives the eager
   * bits. A new kind fails here until its op, its arithmetic and its loop code agree.
   */
  @Test
  void everyElementwiseKindCompilesToTheEagerBitsForwardAndBackward() throws Exception {
    for (OpKind kind : OpKind.values()) {
      if (!kind.elementwise()) {
        continue;
      }
      java.util.function.Function<Tensor[], Tensor> op = OPS.get(kind);
      assertTrue(op != null, "no op for kind " + kind + " in this walk");
      java.lang.reflect.Method m = java.util.Arrays.stream(Arithmetic.class.getMethods())
          .filter(x -> x.getName().equals(kind.method())).findFirst().orElse(null);
      assertTrue(m != null, "no Arithmetic." + kind.method() + " for kind " + kind);
      CompiledFunction.Body body = (v, s) -> {
        try (GradientTape tape = new GradientTape()) {
          tape.watch(s[0], s[1]);
          Tensor scaled = Ops.mul(v[0], s[0]);
          Tensor loss = Ops.sum(op.apply(new Tensor[] {scaled, v[1], v[0]}));
          Tensor shifted = Ops.add(v[1], s[1]);
          loss = Ops.add(loss, Ops.sum(op.apply(new Tensor[] {shifted, s[1], scaled})));
          if (kind.arity() > 1) {
            loss = Ops.add(loss, Ops.sum(op.apply(new Tensor[] {s[1], scaled, v[1]})));
          }
          Tensor[] g = tape.gradient(loss, s[0], s[1]);
          return new Tensor[] {loss, g[0], g[1]};
        }
      };
      Random random = new Random(kind.ordinal());
      double[] scalars = {1.25, 0.75};
      CompiledFunction f = CompiledFunction.compile(body, positive(64, random), scalars);
      assertTrue(f.source().contains(Arithmetic.class.getName() + "." + kind.method() + "("),
          kind + " not fused by its Arithmetic method:\n" + f.source());
      double[][] v = positive(203, random);
      for (int[] range : List.of(new int[] {0, 203}, new int[] {5, 12}, new int[] {1, 2})) {
        double[] expected = eager(body, v, range[0], range[1], scalars);
        double[] actual = new double[expected.length];
        f.apply(v, range[0], range[1], scalars, actual);
        for (int k = 0; k < expected.length; k++) {
          assertEquals(Double.doubleToLongBits(expected[k]), Double.doubleToLongBits(actual[k]),
              kind + " output " + k + " over " + Arrays.toString(range));
        }
      }
    }
  }

  /** Two vectors of values in [0.5, 2.5): every op, log and sqrt included, is finite on them. */
  private static double[][] positive(int n, Random random) {
    double[][] v = new double[2][n];
    for (double[] row : v) {
      for (int i = 0; i < n; i++) {
        row[i] = 0.5 + 2 * random.nextDouble();
      }
    }
    return v;
  }

  private static void assertMatchesEager(CompiledFunction.Body body, int vectors, double[] scalars,
      long seed) throws Exception {
    Random random = new Random(seed);
    CompiledFunction f = CompiledFunction.compile(body, data(64, random), scalars);
    double[][] v = data(300, random);
    for (int[] range : List.of(new int[] {0, 300}, new int[] {0, 0}, new int[] {5, 6},
        new int[] {7, 9}, new int[] {1, 4}, new int[] {3, 8}, new int[] {17, 300},
        new int[] {256, 299})) {
      double[] expected = eager(body, v, range[0], range[1], scalars);
      double[] actual = new double[expected.length];
      f.apply(v, range[0], range[1], scalars, actual);
      for (int k = 0; k < expected.length; k++) {
        assertEquals(Double.doubleToLongBits(expected[k]), Double.doubleToLongBits(actual[k]),
            "output " + k + " over " + Arrays.toString(range) + ": " + expected[k] + " vs "
                + actual[k] + "\n" + f.source());
      }
    }
    assertEquals(vectors, v.length);
  }

  private static double[] eager(CompiledFunction.Body body, double[][] v, int from, int to,
      double[] scalars) {
    return eager(body, v, new boolean[v.length], from, to, scalars);
  }

  /** x in (−2, 2) and y = 3x + 2 + noise, positive enough for log and sqrt in MIXED. */
  private static double[][] data(int n, Random random) {
    double[] x = new double[n];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = 4 * random.nextDouble() - 2;
      y[i] = 3 * x[i] + 2 + random.nextGaussian();
    }
    return new double[][] {x, y};
  }
}
