package dev.tapetrain.tape;

import static dev.tapetrain.tape.GradientCheck.assertClose;
import static dev.tapetrain.tape.GradientCheck.numeric;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * matvec, vecmat and outer against plain loops and central finite differences. The target
 * weights each output by a random constant, so every output element matters.
 */
class LinearAlgebraGradientTest {

  private final Random rnd = new Random(11);

  private double[] random(int n) {
    return rnd.doubles(n, -2, 2).toArray();
  }

  @Test
  void matvecIsTheRowSumsOfProductsAndItsGradientsMatchFiniteDifferences() {
    for (int trial = 0; trial < 20; trial++) {
      int n = 1 + rnd.nextInt(5);
      int f = 1 + rnd.nextInt(4);
      double[] a = random(n * f);
      double[] x = random(f);
      Tensor weights = Tensor.vector(random(n));
      Tensor at = Tensor.matrix(n, f, a);
      Tensor xt = Tensor.vector(x);
      double[] expected = new double[n];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < f; j++) {
          expected[i] += a[i * f + j] * x[j];
        }
      }
      assertArrayEquals(expected, Ops.matvec(at, xt).toArray(), 1e-12);
      Tensor[] g;
      try (GradientTape tape = new GradientTape()) {
        tape.watch(at, xt);
        g = tape.gradient(Ops.sum(Ops.mul(Ops.matvec(at, xt), weights)), at, xt);
      }
      assertClose(numeric(v -> Ops.sum(Ops.mul(Ops.matvec(Tensor.matrix(n, f, v), xt), weights))
          .item(), a), g[0], "d/dA");
      assertClose(numeric(v -> Ops.sum(Ops.mul(Ops.matvec(at, Tensor.vector(v)), weights))
          .item(), x), g[1], "d/dx");
    }
  }

  @Test
  void vecmatAndOuterGradientsMatchFiniteDifferences() {
    for (int trial = 0; trial < 20; trial++) {
      int n = 1 + rnd.nextInt(5);
      int f = 1 + rnd.nextInt(4);
      double[] v = random(n);
      double[] a = random(n * f);
      double[] u = random(f);
      Tensor fw = Tensor.vector(random(f));
      Tensor ow = Tensor.matrix(n, f, random(n * f));
      Tensor vt = Tensor.vector(v);
      Tensor at = Tensor.matrix(n, f, a);
      Tensor ut = Tensor.vector(u);
      Tensor[] g;
      try (GradientTape tape = new GradientTape(true)) {
        tape.watch(vt, at, ut);
        g = tape.gradient(Ops.sum(Ops.mul(Ops.vecmat(vt, at), fw)), vt, at);
        Tensor[] go = tape.gradient(Ops.sum(Ops.mul(Ops.outer(vt, ut), ow)), vt, ut);
        assertClose(numeric(w -> Ops.sum(Ops.mul(Ops.outer(Tensor.vector(w), ut), ow)).item(),
            v), go[0], "outer d/du");
        assertClose(numeric(w -> Ops.sum(Ops.mul(Ops.outer(vt, Tensor.vector(w)), ow)).item(),
            u), go[1], "outer d/dv");
      }
      assertClose(numeric(w -> Ops.sum(Ops.mul(Ops.vecmat(Tensor.vector(w), at), fw)).item(), v),
          g[0], "vecmat d/dv");
      assertClose(numeric(w -> Ops.sum(Ops.mul(Ops.vecmat(vt, Tensor.matrix(n, f, w)), fw))
          .item(), a), g[1], "vecmat d/dA");
    }
  }

  @Test
  void secondDerivativeThroughMatvecIsTheHessianOfAQuadraticForm() {
    // f(x) = Σ (A x)² has Hessian 2 AᵀA; its gradient's directional derivative along e_k is
    // the k-th column of 2 AᵀA.
    double[] a = {1, 2, 3, 4, 5, 6};
    Tensor at = Tensor.matrix(3, 2, a);
    Tensor x = Tensor.vector(0.5, -1);
    Tensor hessianColumn0;
    try (GradientTape outer = new GradientTape()) {
      outer.watch(x);
      Tensor grad;
      try (GradientTape inner = new GradientTape()) {
        inner.watch(x);
        grad = inner.gradient(Ops.sum(Ops.square(Ops.matvec(at, x))), x);
      }
      hessianColumn0 = outer.gradient(Ops.mul(grad, Tensor.vector(1, 0)), x);
    }
    // 2 AᵀA = 2 [[1+9+25, 2+12+30], [.., ..]] → column 0: [70, 88]
    assertArrayEquals(new double[] {70, 88}, hessianColumn0.toArray(), 1e-12);
  }

  @Test
  void shapesAreChecked() {
    assertThrows(IllegalArgumentException.class,
        () -> Ops.matvec(Tensor.matrix(2, 3, new double[6]), Tensor.vector(1, 2)));
    assertThrows(IllegalArgumentException.class, () -> Tensor.matrix(2, 2, new double[3]));
  }
}
