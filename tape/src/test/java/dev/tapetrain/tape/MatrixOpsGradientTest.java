package dev.tapetrain.tape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The matrix ops and the new elementwise ops against central finite differences on random
 * inputs ({@link GradientCheck#TOL}), and their forward values against plain loops.
 */
class MatrixOpsGradientTest {

  private static final Random RND = new Random(20261201);

  private static double[] random(int n) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = RND.nextGaussian();
    }
    return v;
  }

  /** A scalar function of a matrix: sum(op(m) * weights), so every output element counts. */
  private static void checkUnary(int rows, int cols, Function<Tensor, Tensor> op) {
    double[] m = random(rows * cols);
    Tensor probe = op.apply(Tensor.matrix(rows, cols, m));
    double[] weights = random(probe.size());
    Function<double[], Double> f = v -> {
      Tensor out = op.apply(Tensor.matrix(rows, cols, v));
      double s = 0;
      for (int i = 0; i < out.size(); i++) {
        s += out.get(i) * weights[i];
      }
      return s;
    };
    Tensor x = Tensor.matrix(rows, cols, m);
    try (GradientTape tape = new GradientTape()) {
      tape.watch(x);
      Tensor out = op.apply(x);
      Tensor loss = Ops.sum(Ops.mul(out, Tensor.wrap(out.shapeRef(), weights)));
      GradientCheck.assertClose(GradientCheck.numeric(f, m), tape.gradient(loss, x), "d/dm");
    }
  }

  @Test
  void matmulMatchesAPlainLoopAndItsGradientsMatchFiniteDifferences() {
    double[] a = random(3 * 4);
    double[] b = random(4 * 2);
    Tensor product = MatrixOps.matmul(Tensor.matrix(3, 4, a), Tensor.matrix(4, 2, b));
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 2; j++) {
        double s = 0;
        for (int t = 0; t < 4; t++) {
          s += a[i * 4 + t] * b[t * 2 + j];
        }
        assertEquals(s, product.get(i * 2 + j), 0.0, "same additions in the same order");
      }
    }
    checkUnary(3, 4, x -> MatrixOps.matmul(x, Tensor.matrix(4, 2, b)));
    checkUnary(4, 2, x -> MatrixOps.matmul(Tensor.matrix(3, 4, a), x));
  }

  @Test
  void transposedProductsAreTheBitsOfAnExplicitTranspose() {
    for (int round = 0; round < 50; round++) {
      int n = 1 + RND.nextInt(7);
      int m = 1 + RND.nextInt(40);
      int k = 1 + RND.nextInt(7);
      Tensor a = Tensor.matrix(n, m, random(n * m));
      Tensor bt = Tensor.matrix(k, m, random(k * m));
      Tensor at = Tensor.matrix(m, n, random(m * n));
      Tensor b = Tensor.matrix(m, k, random(m * k));
      assertBits(MatrixOps.matmul(a, MatrixOps.transpose(bt)),
          MatrixOps.matmulTransposedRight(a, bt));
      assertBits(MatrixOps.matmul(MatrixOps.transpose(at), b),
          MatrixOps.matmulTransposedLeft(at, b));
    }
  }

  @Test
  void singleColumnProductsAreThePlainLoopsBits() {
    // A product with one output column has a loop of its own: each element must still be
    // 0 + a(i,0)·b(0) + a(i,1)·b(1) + ..., in that order, for every way of reading a and b.
    for (int round = 0; round < 50; round++) {
      int n = 1 + RND.nextInt(9);
      int m = 1 + RND.nextInt(300);
      double[] a = random(n * m);
      double[] at = random(m * n);
      double[] b = random(m);
      Tensor plain = MatrixOps.matmul(Tensor.matrix(n, m, a), Tensor.matrix(m, 1, b));
      Tensor left = MatrixOps.matmulTransposedLeft(Tensor.matrix(m, n, at),
          Tensor.matrix(m, 1, b));
      Tensor right = MatrixOps.matmulTransposedRight(Tensor.matrix(n, m, a),
          Tensor.matrix(1, m, b));
      for (int i = 0; i < n; i++) {
        double s = 0;
        double st = 0;
        for (int t = 0; t < m; t++) {
          s += a[i * m + t] * b[t];
          st += at[t * n + i] * b[t];
        }
        assertEquals(s, plain.get(i), 0.0, "a·b, row " + i);
        assertEquals(st, left.get(i), 0.0, "aᵀ·b, row " + i);
        assertEquals(s, right.get(i), 0.0, "a·bᵀ, row " + i);
      }
    }
  }

  @Test
  void transposedProductsHaveFiniteDifferenceGradients() {
    double[] a = random(3 * 4);
    double[] b = random(2 * 4);
    double[] c = random(3 * 2);
    checkUnary(3, 4, x -> MatrixOps.matmulTransposedRight(x, Tensor.matrix(2, 4, b)));
    checkUnary(2, 4, x -> MatrixOps.matmulTransposedRight(Tensor.matrix(3, 4, a), x));
    checkUnary(3, 4, x -> MatrixOps.matmulTransposedLeft(x, Tensor.matrix(3, 2, c)));
    checkUnary(3, 2, x -> MatrixOps.matmulTransposedLeft(Tensor.matrix(3, 4, a), x));
  }

  @Test
  void secondDerivativesThroughAProductMatchTheTransposePath() {
    // d/dx of sum((x·w)²)'s gradient w.r.t. w, through matmul's backward rule, against the
    // same built from matmul and transpose alone (the rule before the fused products).
    Tensor x = Tensor.matrix(4, 3, random(12));
    Tensor w = Tensor.matrix(3, 2, random(6));
    Tensor fused;
    try (GradientTape outer = new GradientTape(); GradientTape inner = new GradientTape()) {
      outer.watch(x);
      inner.watch(w);
      Tensor y = MatrixOps.matmul(x, w);
      Tensor dw = inner.gradient(Ops.sum(Ops.mul(y, y)), w);
      fused = outer.gradient(Ops.sum(Ops.mul(dw, dw)), x);
    }
    Tensor plain;
    try (GradientTape tape = new GradientTape()) {
      tape.watch(x);
      Tensor y = MatrixOps.matmul(x, w);
      Tensor g = Ops.add(y, y); // d sum(y²)/dy = 2y, as mul's rule adds g·y + g·y
      Tensor dw = MatrixOps.matmul(MatrixOps.transpose(x), g);
      plain = tape.gradient(Ops.sum(Ops.mul(dw, dw)), x);
    }
    GradientCheck.assertClose(plain.data, fused, "second derivative");
  }

  /** {@code sum(out · weights)}'s gradients w.r.t. x, w and b, {@code out} from {@code layer}. */
  private static Tensor[] denseGradients(Tensor x, Tensor w, Tensor b, double[] weights,
      Function<Tensor[], Tensor> layer, Tensor[] out) {
    try (GradientTape tape = new GradientTape()) {
      tape.watch(x);
      tape.watch(w);
      tape.watch(b);
      Tensor y = layer.apply(new Tensor[] {x, w, b});
      out[0] = y;
      return tape.gradient(Ops.sum(Ops.mul(y, Tensor.wrap(y.shapeRef(), weights))), x, w, b);
    }
  }

  @Test
  void denseIsTheBitsOfMatmulPlusRepeatedRowsAndSoAreItsGradients() {
    Function<Tensor[], Tensor> fused = in -> MatrixOps.dense(in[0], in[1], in[2]);
    Function<Tensor[], Tensor> twoOps = in ->
        Ops.add(MatrixOps.matmul(in[0], in[1]), MatrixOps.repeatRows(in[2], in[0].shape()[0]));
    for (int round = 0; round < 50; round++) {
      int n = 1 + RND.nextInt(9);
      int m = 1 + RND.nextInt(20);
      int k = 1 + RND.nextInt(9);
      Tensor x = Tensor.matrix(n, m, random(n * m));
      Tensor w = Tensor.matrix(m, k, random(m * k));
      Tensor b = Tensor.vector(random(k));
      double[] weights = random(n * k);
      Tensor[] fusedOut = new Tensor[1];
      Tensor[] plainOut = new Tensor[1];
      Tensor[] want = denseGradients(x, w, b, weights, twoOps, plainOut);
      Tensor[] got = denseGradients(x, w, b, weights, fused, fusedOut);
      assertBits(plainOut[0], fusedOut[0]);
      for (int i = 0; i < 3; i++) {
        assertBits(want[i], got[i]);
      }
    }
  }

  @Test
  void denseHasFiniteDifferenceGradientsAndSecondDerivatives() {
    double[] x = random(5 * 3);
    double[] w = random(3 * 2);
    double[] b = random(2);
    checkUnary(5, 3, m -> MatrixOps.dense(m, Tensor.matrix(3, 2, w), Tensor.vector(b)));
    checkUnary(3, 2, m -> MatrixOps.dense(Tensor.matrix(5, 3, x), m, Tensor.vector(b)));
    double[] weights = random(5 * 2);
    Function<double[], Double> f = v -> {
      Tensor out = MatrixOps.dense(Tensor.matrix(5, 3, x), Tensor.matrix(3, 2, w),
          Tensor.vector(v));
      double s = 0;
      for (int i = 0; i < out.size(); i++) {
        s += out.get(i) * weights[i];
      }
      return s;
    };
    Tensor bias = Tensor.vector(b.clone());
    Tensor[] out = new Tensor[1];
    Tensor db = denseGradients(Tensor.matrix(5, 3, x), Tensor.matrix(3, 2, w), bias, weights,
        in -> MatrixOps.dense(in[0], in[1], in[2]), out)[2];
    GradientCheck.assertClose(GradientCheck.numeric(f, b), db, "d/db");
    // d/dx of |d sum(tanh(y)²)/dw|² through dense's backward rule, against the two ops'.
    Tensor[] second = new Tensor[2];
    for (int path = 0; path < 2; path++) {
      Tensor xs = Tensor.matrix(5, 3, x);
      Tensor ws = Tensor.matrix(3, 2, w);
      try (GradientTape outer = new GradientTape(); GradientTape inner = new GradientTape()) {
        outer.watch(xs);
        inner.watch(ws);
        Tensor y = path == 0 ? MatrixOps.dense(xs, ws, Tensor.vector(b))
            : Ops.add(MatrixOps.matmul(xs, ws), MatrixOps.repeatRows(Tensor.vector(b), 5));
        Tensor h = Ops.tanh(y);
        Tensor dw = inner.gradient(Ops.sum(Ops.mul(h, h)), ws);
        second[path] = outer.gradient(Ops.sum(Ops.mul(dw, dw)), xs);
      }
    }
    assertBits(second[1], second[0]);
  }

  private static void assertBits(Tensor want, Tensor got) {
    assertEquals(java.util.Arrays.toString(want.shapeRef()),
        java.util.Arrays.toString(got.shapeRef()));
    for (int i = 0; i < want.size(); i++) {
      assertEquals(Double.doubleToRawLongBits(want.get(i)), Double.doubleToRawLongBits(got.get(i)),
          "element " + i);
    }
  }

  @Test
  void shapeOpsHaveFiniteDifferenceGradients() {
    checkUnary(3, 5, MatrixOps::transpose);
    checkUnary(3, 5, MatrixOps::rowSum);
    checkUnary(3, 5, MatrixOps::colSum);
    checkUnary(1, 4, x -> MatrixOps.repeatRows(MatrixOps.colSum(x), 3));
    checkUnary(4, 1, x -> MatrixOps.repeatColumns(MatrixOps.rowSum(x), 3));
  }

  @Test
  void tanhsBackwardIsTheBitsOfItsThreeOpsAndHasItsOwnDerivatives() {
    double[] gv = random(300);
    double[] tv = new double[300];
    for (int i = 0; i < tv.length; i++) {
      tv[i] = Math.tanh(3 * RND.nextGaussian());
    }
    Tensor g = Tensor.vector(gv);
    Tensor t = Tensor.vector(tv);
    assertBits(Ops.mul(g, Ops.sub(Tensor.scalar(1.0), Ops.square(t))), Ops.tanhBackward(g, t));
    // Its partial derivatives, against finite differences in each input.
    Function<double[], Double> byG = v -> Ops.sum(Ops.tanhBackward(Tensor.vector(v), t)).item();
    Function<double[], Double> byT = v -> Ops.sum(Ops.tanhBackward(g, Tensor.vector(v))).item();
    Tensor gw = Tensor.vector(gv.clone());
    Tensor tw = Tensor.vector(tv.clone());
    try (GradientTape tape = new GradientTape(true)) {
      tape.watch(gw, tw);
      Tensor sum = Ops.sum(Ops.tanhBackward(gw, tw));
      GradientCheck.assertClose(GradientCheck.numeric(byG, gv), tape.gradient(sum, gw), "d/dg");
      GradientCheck.assertClose(GradientCheck.numeric(byT, tv), tape.gradient(sum, tw), "d/dt");
    }
    // tanh'' = −2·tanh·(1 − tanh²), through nested tapes.
    double[] xv = random(50);
    Tensor x = Tensor.vector(xv);
    Tensor second;
    try (GradientTape outer = new GradientTape(); GradientTape inner = new GradientTape()) {
      outer.watch(x);
      inner.watch(x);
      Tensor first = inner.gradient(Ops.sum(Ops.tanh(x)), x);
      second = outer.gradient(Ops.sum(first), x);
    }
    for (int i = 0; i < xv.length; i++) {
      double th = Math.tanh(xv[i]);
      assertEquals(-2 * th * (1 - th * th), second.get(i), 1e-12, "tanh''(" + xv[i] + ")");
    }
  }

  @Test
  void logSumExpAndSoftmaxHaveFiniteDifferenceGradients() {
    checkUnary(4, 3, MatrixOps::logSumExp);
    checkUnary(4, 3, MatrixOps::softmax);
  }

  @Test
  void logSumExpIsStableForLogitsOfAThousand() {
    Tensor z = Tensor.matrix(2, 3, new double[] {1000, 999, -1000, -1000, -1000, -1001});
    Tensor lse = MatrixOps.logSumExp(z);
    // Closed forms: 1000 + log(1 + e^-1 + e^-2000), -1000 + log(2 + e^-1).
    assertEquals(1000 + Math.log1p(Math.exp(-1)), lse.get(0), 1e-12);
    assertEquals(-1000 + Math.log(2 + Math.exp(-1)), lse.get(1), 1e-12);
    Tensor p = MatrixOps.softmax(z);
    for (int i = 0; i < 2; i++) {
      double rowSum = p.get(3 * i) + p.get(3 * i + 1) + p.get(3 * i + 2);
      assertEquals(1.0, rowSum, 1e-15);
    }
  }

  @Test
  void log1pAbsAndReluMatchTheirDerivatives() {
    double[] x = {-2.5, -0.3, 0.7, 1.9};
    for (Function<Tensor, Tensor> op : java.util.List.<Function<Tensor, Tensor>>of(
        t -> Ops.log1p(Ops.abs(t)), Ops::abs, Ops::relu)) {
      Function<double[], Double> f = v -> Ops.sum(op.apply(Tensor.vector(v))).item();
      Tensor t = Tensor.vector(x);
      try (GradientTape tape = new GradientTape()) {
        tape.watch(t);
        GradientCheck.assertClose(GradientCheck.numeric(f, x),
            tape.gradient(Ops.sum(op.apply(t)), t), "elementwise");
      }
    }
    assertEquals(Math.log1p(1e-17), Ops.log1p(Tensor.scalar(1e-17)).item(), 0.0);
    assertTrue(Ops.relu(Tensor.scalar(-0.0)).item() == 0.0);
  }
}
