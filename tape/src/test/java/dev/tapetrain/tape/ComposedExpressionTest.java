package dev.tapetrain.tape;

import static dev.tapetrain.tape.GradientCheck.assertClose;
import static dev.tapetrain.tape.GradientCheck.numeric;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random expressions built from the primitives, differentiated by the tape and by finite
 * differences. Catches mistakes no single-op test sees: accumulation when a tensor is used twice,
 * broadcasting inside deeper graphs, reverse-order bookkeeping.
 */
class ComposedExpressionTest {

  /** Builds a random expression of x (vector) and s (scalar); domain-safe for log and sqrt. */
  private static Tensor randomExpression(long seed, Tensor x, Tensor s, int depth) {
    Random rnd = new Random(seed);
    return build(rnd, x, s, depth);
  }

  private static Tensor build(Random rnd, Tensor x, Tensor s, int depth) {
    if (depth == 0) {
      return switch (rnd.nextInt(3)) {
        case 0 -> x;
        case 1 -> s;
        default -> Tensor.scalar(0.5 + rnd.nextInt(3));
      };
    }
    Tensor a = build(rnd, x, s, depth - 1);
    switch (rnd.nextInt(10)) {
      case 0:
        return Ops.add(a, build(rnd, x, s, depth - 1));
      case 1:
        return Ops.sub(a, build(rnd, x, s, depth - 1));
      case 2:
        return Ops.mul(a, build(rnd, x, s, depth - 1));
      case 3: // keep the denominator away from zero
        return Ops.div(a, Ops.add(Ops.exp(Ops.tanh(build(rnd, x, s, depth - 1))),
            Tensor.scalar(0.5)));
      case 4:
        return Ops.tanh(a);
      case 5:
        return Ops.log(Ops.add(Ops.square(a), Tensor.scalar(1.0)));
      case 6:
        return Ops.sqrt(Ops.add(Ops.square(a), Tensor.scalar(0.25)));
      case 7:
        return Ops.mul(Ops.mean(a), a);
      case 8:
        return Ops.pow(Ops.tanh(a), 3);
      default:
        return Ops.neg(Ops.exp(Ops.tanh(a)));
    }
  }

  @Test
  void randomComposedExpressionsMatchFiniteDifferences() {
    Random rnd = new Random(7);
    for (int trial = 0; trial < 200; trial++) {
      long exprSeed = rnd.nextLong();
      double[] x = rnd.doubles(1 + rnd.nextInt(5), -1.5, 1.5).toArray();
      double[] s = {rnd.nextDouble() * 2 - 1};
      Tensor xt = Tensor.vector(x);
      Tensor st = Tensor.scalar(s[0]);
      Tensor[] g;
      try (GradientTape tape = new GradientTape()) {
        tape.watch(xt, st);
        Tensor y = Ops.sum(randomExpression(exprSeed, xt, st, 4));
        g = tape.gradient(y, java.util.List.of(xt, st), null, UnconnectedGradients.ZERO);
      }
      String what = "expression " + exprSeed;
      assertClose(numeric(v -> Ops.sum(randomExpression(exprSeed, Tensor.vector(v), st, 4))
          .item(), x), g[0], what + " d/dx");
      assertClose(numeric(v -> Ops.sum(randomExpression(exprSeed, xt, Tensor.scalar(v[0]), 4))
          .item(), s), g[1], what + " d/ds");
    }
  }
}
