package dev.tapetrain.worker.tape;

import java.util.Arrays;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * The differentiable operations. Each computes its result eagerly and records itself on every
 * open tape that tracks one of its inputs.
 *
 * <p>Binary ops broadcast a scalar against a vector; the gradient of a broadcast input is summed
 * back to its shape. Backward rules exist only for these primitives and are written with them,
 * so gradients are differentiable again.
 */
public final class Ops {

  private Ops() {}

  // ---- elementwise binary ---------------------------------------------------------------

  /** {@code a + b}. */
  public static Tensor add(Operand a, Operand b) {
    return binary(a, b, Double::sum, ADD);
  }

  /** {@code a − b}. */
  public static Tensor sub(Operand a, Operand b) {
    return binary(a, b, (x, y) -> x - y, SUB);
  }

  /** {@code a · b}, elementwise. */
  public static Tensor mul(Operand a, Operand b) {
    return binary(a, b, (x, y) -> x * y, MUL);
  }

  /** {@code a / b}, elementwise. */
  public static Tensor div(Operand a, Operand b) {
    return binary(a, b, (x, y) -> x / y, DIV);
  }

  // ---- elementwise unary ----------------------------------------------------------------

  /** {@code −a}. */
  public static Tensor neg(Operand a) {
    return unary(a, x -> -x, (g, in, out) -> neg(g));
  }

  /** {@code a²}. */
  public static Tensor square(Operand a) {
    return unary(a, x -> x * x, (g, in, out) -> mul(g, mul(in, Tensor.scalar(2.0))));
  }

  /** {@code √a}. */
  public static Tensor sqrt(Operand a) {
    return unary(a, Math::sqrt, (g, in, out) -> div(g, mul(out, Tensor.scalar(2.0))));
  }

  /** {@code eᵃ}. */
  public static Tensor exp(Operand a) {
    return unary(a, StrictMath::exp, (g, in, out) -> mul(g, out));
  }

  /** Natural logarithm. */
  public static Tensor log(Operand a) {
    return unary(a, StrictMath::log, (g, in, out) -> div(g, in));
  }

  /** Hyperbolic tangent. */
  public static Tensor tanh(Operand a) {
    return unary(a, StrictMath::tanh,
        (g, in, out) -> mul(g, sub(Tensor.scalar(1.0), square(out))));
  }

  /** {@code aᶜ} for a constant exponent {@code c}. */
  public static Tensor pow(Operand a, double c) {
    return unary(a, x -> StrictMath.pow(x, c),
        (g, in, out) -> mul(g, mul(pow(in, c - 1), Tensor.scalar(c))));
  }

  // ---- reductions and shape -------------------------------------------------------------

  /** The sum of all elements, a scalar; addition order as in {@link Kernels#sum}. */
  public static Tensor sum(Operand a) {
    Tensor x = a.asTensor();
    Tensor out = Tensor.scalar(Kernels.sum(x.data));
    TapeStack.record(new Tensor[] {x}, out,
        (g, in, o, needed) -> new Tensor[] {broadcastTo(g, in[0].shapeRef())});
    return out;
  }

  /** The mean of all elements, a scalar: {@code sum(a) / n}. */
  public static Tensor mean(Operand a) {
    Tensor x = a.asTensor();
    return div(sum(x), Tensor.scalar(x.size()));
  }

  /** A scalar repeated to {@code shape} (or a tensor already of that shape, unchanged). */
  public static Tensor broadcastTo(Operand a, int[] shape) {
    Tensor x = a.asTensor();
    if (Arrays.equals(x.shapeRef(), shape)) {
      return x;
    }
    if (x.rank() != 0) {
      throw new IllegalArgumentException("cannot broadcast shape " + Arrays.toString(x.shapeRef())
          + " to " + Arrays.toString(shape));
    }
    Tensor out = Tensor.filled(shape, x.data[0]);
    TapeStack.record(new Tensor[] {x}, out, (g, in, o, needed) -> new Tensor[] {sum(g)});
    return out;
  }

  // ---- machinery ------------------------------------------------------------------------

  @FunctionalInterface
  private interface UnaryRule {
    Tensor grad(Tensor upstream, Tensor input, Tensor output);
  }

  private static Tensor unary(Operand a, DoubleUnaryOperator f, UnaryRule rule) {
    Tensor x = a.asTensor();
    double[] in = x.data;
    double[] out = new double[in.length];
    for (int i = 0; i < in.length; i++) {
      out[i] = f.applyAsDouble(in[i]);
    }
    Tensor result = Tensor.wrap(x.shapeRef(), out);
    TapeStack.record(new Tensor[] {x}, result,
        (g, ins, o, needed) -> new Tensor[] {rule.grad(g, ins[0], o)});
    return result;
  }

  private static Tensor binary(Operand a, Operand b, DoubleBinaryOperator f, BackwardRule rule) {
    Tensor x = a.asTensor();
    Tensor y = b.asTensor();
    int[] shape = broadcastShape(x, y);
    int n = shape.length == 0 ? 1 : shape[0];
    double[] out = new double[n];
    double[] xd = x.data;
    double[] yd = y.data;
    if (xd.length == n && yd.length == n) {
      for (int i = 0; i < n; i++) {
        out[i] = f.applyAsDouble(xd[i], yd[i]);
      }
    } else if (xd.length == n) {
      double s = yd[0];
      for (int i = 0; i < n; i++) {
        out[i] = f.applyAsDouble(xd[i], s);
      }
    } else {
      double s = xd[0];
      for (int i = 0; i < n; i++) {
        out[i] = f.applyAsDouble(s, yd[i]);
      }
    }
    Tensor result = Tensor.wrap(shape, out);
    TapeStack.record(new Tensor[] {x, y}, result, rule);
    return result;
  }

  private static int[] broadcastShape(Tensor x, Tensor y) {
    if (Arrays.equals(x.shapeRef(), y.shapeRef())) {
      return x.shapeRef();
    }
    if (y.rank() == 0) {
      return x.shapeRef();
    }
    if (x.rank() == 0) {
      return y.shapeRef();
    }
    throw new IllegalArgumentException("shapes " + Arrays.toString(x.shapeRef()) + " and "
        + Arrays.toString(y.shapeRef()) + " do not broadcast");
  }

  /** Sums a gradient back to the shape of the input it flows into (undoes broadcasting). */
  private static Tensor unbroadcast(Tensor g, Tensor input) {
    return g.rank() == input.rank() ? g : sum(g);
  }

  private static final BackwardRule ADD = (g, in, out, needed) -> new Tensor[] {
      needed[0] ? unbroadcast(g, in[0]) : null,
      needed[1] ? unbroadcast(g, in[1]) : null};

  private static final BackwardRule SUB = (g, in, out, needed) -> new Tensor[] {
      needed[0] ? unbroadcast(g, in[0]) : null,
      needed[1] ? unbroadcast(neg(g), in[1]) : null};

  private static final BackwardRule MUL = (g, in, out, needed) -> new Tensor[] {
      needed[0] ? unbroadcast(mul(g, in[1]), in[0]) : null,
      needed[1] ? unbroadcast(mul(g, in[0]), in[1]) : null};

  // d(a/b)/da = 1/b, d(a/b)/db = −a/b²
  private static final BackwardRule DIV = (g, in, out, needed) -> new Tensor[] {
      needed[0] ? unbroadcast(div(g, in[1]), in[0]) : null,
      needed[1] ? unbroadcast(neg(div(mul(g, in[0]), square(in[1]))), in[1]) : null};
}
