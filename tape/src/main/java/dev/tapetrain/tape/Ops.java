package dev.tapetrain.tape;

import java.util.Arrays;
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
    return OpRecorder.binary(OpKind.ADD, a, b, ADD);
  }

  /** {@code a − b}. */
  public static Tensor sub(Operand a, Operand b) {
    return OpRecorder.binary(OpKind.SUB, a, b, SUB);
  }

  /** {@code a · b}, elementwise. */
  public static Tensor mul(Operand a, Operand b) {
    return OpRecorder.binary(OpKind.MUL, a, b, MUL);
  }

  /** {@code a / b}, elementwise. */
  public static Tensor div(Operand a, Operand b) {
    return OpRecorder.binary(OpKind.DIV, a, b, DIV);
  }

  /**
   * {@code a · b + c}, elementwise with broadcasting: bit for bit {@code add(mul(a, b), c)} (two
   * roundings, not a fused multiply-add), in one pass and with one intermediate less. The
   * prediction of a one-feature linear model, {@code x · W + B}.
   */
  public static Tensor mulAdd(Operand a, Operand b, Operand c) {
    return OpRecorder.ternary(OpKind.MUL_ADD, a, b, c, (g, in, o, needed) -> new Tensor[] {
        needed[0] ? OpRecorder.unbroadcast(mul(g, in[1]), in[0]) : null,
        needed[1] ? OpRecorder.unbroadcast(mul(g, in[0]), in[1]) : null,
        needed[2] ? OpRecorder.unbroadcast(g, in[2]) : null});
  }

  // ---- elementwise unary ----------------------------------------------------------------

  /** {@code −a}. */
  public static Tensor neg(Operand a) {
    return OpRecorder.unary(OpKind.NEG, 0, a, Arithmetic::neg, (g, in, out) -> neg(g));
  }

  /** {@code a²}. */
  public static Tensor square(Operand a) {
    return OpRecorder.unary(OpKind.SQUARE, 0, a, Arithmetic::square,
        (g, in, out) -> mul(g, mul(in, Tensor.scalar(2.0))));
  }

  /**
   * {@code (a − b)²}, elementwise (TensorFlow's {@code squared_difference}): the same values as
   * {@code square(sub(a, b))}, in one pass and with one intermediate less.
   */
  public static Tensor squaredDifference(Operand a, Operand b) {
    return OpRecorder.binary(OpKind.SQUARED_DIFFERENCE, a, b,
        (g, in, o, needed) -> {
          // d/da = 2(a − b)·g, d/db = −2(a − b)·g
          Tensor d = twiceDifferenceTimes(g, in[0], in[1]);
          return new Tensor[] {
              needed[0] ? OpRecorder.unbroadcast(d, in[0]) : null,
              needed[1] ? OpRecorder.unbroadcast(neg(d), in[1]) : null};
        });
  }

  /**
   * {@code g · ((a − b) · 2)}, the backward pass of {@link #squaredDifference} as one primitive
   * (bit for bit what {@code mul(g, mul(sub(a, b), scalar(2)))} gives, in one pass instead of
   * three). Itself differentiable, so second derivatives still work.
   */
  static Tensor twiceDifferenceTimes(Operand g, Operand a, Operand b) {
    return OpRecorder.ternary(OpKind.TWICE_DIFFERENCE_TIMES, g, a, b,
        (up, in, o, needed) -> {
          Tensor twiceUp = needed[1] || needed[2] ? mul(mul(up, in[0]), Tensor.scalar(2.0)) : null;
          return new Tensor[] {
              needed[0] ? OpRecorder.unbroadcast(mul(up, mul(sub(in[1], in[2]), Tensor.scalar(2.0))), in[0])
                  : null,
              needed[1] ? OpRecorder.unbroadcast(twiceUp, in[1]) : null,
              needed[2] ? OpRecorder.unbroadcast(neg(twiceUp), in[2]) : null};
        });
  }

  /** {@code √a}. */
  public static Tensor sqrt(Operand a) {
    return OpRecorder.unary(OpKind.SQRT, 0, a, Arithmetic::sqrt,
        (g, in, out) -> div(g, mul(out, Tensor.scalar(2.0))));
  }

  /** {@code eᵃ}. */
  public static Tensor exp(Operand a) {
    return OpRecorder.unary(OpKind.EXP, 0, a, Arithmetic::exp, (g, in, out) -> mul(g, out));
  }

  /** Natural logarithm. */
  public static Tensor log(Operand a) {
    return OpRecorder.unary(OpKind.LOG, 0, a, Arithmetic::log, (g, in, out) -> div(g, in));
  }

  /** Hyperbolic tangent. */
  public static Tensor tanh(Operand a) {
    return OpRecorder.unary(OpKind.TANH, 0, a, Arithmetic::tanh, (g, in, out) -> tanhBackward(g, out));
  }

  /**
   * The logistic function {@code 1/(1 + e⁻ᵃ)} (TensorFlow's {@code sigmoid}), with
   * {@link FixedMath#sigmoid}'s bits; never overflows. Its derivative is {@code s·(1 − s)} from
   * its output {@code s}.
   */
  public static Tensor sigmoid(Operand a) {
    return OpRecorder.unary(OpKind.SIGMOID, 0, a, Arithmetic::sigmoid,
        (g, in, out) -> mul(g, mul(out, sub(Tensor.scalar(1.0), out))));
  }

  /**
   * {@code g · (1 − t²)}, the backward pass of {@link #tanh} from its output {@code t}, as one
   * primitive (bit for bit what {@code mul(g, sub(scalar(1), square(t)))} gives, in one pass
   * instead of three: an MLP's hidden layer runs it on every element). Itself differentiable
   * ({@code d/dg = 1 − t²}, {@code d/dt = −2·g·t}), so second derivatives still work.
   */
  static Tensor tanhBackward(Operand g, Operand t) {
    return OpRecorder.binary(OpKind.TANH_BACKWARD, g, t,
        (up, in, o, needed) -> new Tensor[] {
            needed[0] ? OpRecorder.unbroadcast(tanhBackward(up, in[1]), in[0]) : null,
            needed[1] ? OpRecorder.unbroadcast(mul(mul(up, in[0]), mul(in[1], Tensor.scalar(-2.0))), in[1])
                : null});
  }

  /**
   * {@code log(1 + a)}, accurate for small {@code a} (TensorFlow's {@code log1p}); the derivative
   * is {@code 1 / (1 + a)}.
   */
  public static Tensor log1p(Operand a) {
    return OpRecorder.unary("log1p", a, Arithmetic::log1p,
        (g, in, out) -> div(g, add(Tensor.scalar(1.0), in)));
  }

  /**
   * {@code |a|}. Its derivative is the sign of {@code a} (0 at 0, as TensorFlow's), a constant
   * for every tape: the second derivative is 0 wherever the first exists.
   */
  public static Tensor abs(Operand a) {
    return OpRecorder.unary("abs", a, Math::abs, (g, in, out) -> mul(g, sign(in)));
  }

  /**
   * {@code max(a, 0)} (a ReLU). Its derivative is 1 where {@code a > 0}, else 0 (TensorFlow's
   * choice at 0), a constant for every tape.
   */
  public static Tensor relu(Operand a) {
    return OpRecorder.unary("relu", a, Arithmetic::relu,
        (g, in, out) -> mul(g, Comparisons.greater(in, Tensor.scalar(0.0))));
  }

  /**
   * The sign of every element ({@link Math#signum}: −1, ±0 or 1, NaN for NaN), as a tensor no
   * tape records (its gradient is 0 wherever it exists, as TensorFlow's {@code sign}): what the
   * derivative of {@link #abs} is made of. Unlike {@link #constant}, the tape compiler computes
   * it in its loops.
   */
  public static Tensor sign(Operand a) {
    Tensor x = a.asTensor();
    double[] out = new double[x.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = Arithmetic.sign(x.data[i]);
    }
    Tensor result = Tensor.wrap(x.shapeRef(), out);
    TapeStack.traceOnly("sign", new Tensor[] {x}, result);
    return result;
  }

  /**
   * {@code f} of every element, as a tensor no tape records: a mask or a sign that chooses a
   * branch (its gradient is taken as 0, as TensorFlow's {@code where} condition). A
   * {@link TracedProgram} still sees it, as an op named {@code constant}; the tape compiler
   * cannot see into {@code f}, so a model using it runs on the eager tape. A mask made with
   * {@link Comparisons} (and {@link #sign}) compiles.
   */
  public static Tensor constant(Operand a, DoubleUnaryOperator f) {
    Tensor x = a.asTensor();
    double[] out = new double[x.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = f.applyAsDouble(x.data[i]);
    }
    Tensor result = Tensor.wrap(x.shapeRef(), out);
    TapeStack.traceOnly("constant", new Tensor[] {x}, result);
    return result;
  }

  /** {@code aᶜ} for a constant exponent {@code c}. */
  public static Tensor pow(Operand a, double c) {
    return OpRecorder.unary(OpKind.POW, c, a, x -> Arithmetic.pow(x, c),
        (g, in, out) -> mul(g, mul(pow(in, c - 1), Tensor.scalar(c))));
  }

  // ---- reductions and shape -------------------------------------------------------------

  /** The sum of all elements, a scalar; addition order as in {@link Kernels#sum}. */
  public static Tensor sum(Operand a) {
    Tensor x = a.asTensor();
    Tensor out = Tensor.scalar(Kernels.sum(x.data));
    TapeStack.record(OpKind.SUM, 0, new Tensor[] {x}, out,
        (g, in, o, needed) -> new Tensor[] {broadcastTo(g, in[0].shapeRef())});
    return out;
  }

  /**
   * Sums of consecutive segments: {@code out[s]} is the sum of the next {@code lengths[s]}
   * elements of {@code a}, each in the order of {@link #sum} (lanes counted from the segment's
   * start), so a segment's sum is bit-identical to {@code sum} of that segment alone.
   */
  public static Tensor segmentSum(Operand a, int[] lengths) {
    Tensor x = a.asTensor();
    int[] segments = lengths.clone();
    double[] out = new double[segments.length];
    int start = 0;
    for (int s = 0; s < segments.length; s++) {
      out[s] = Kernels.sum(x.data, start, start + segments[s]);
      start += segments[s];
    }
    if (start != x.size() || x.rank() != 1) {
      throw new IllegalArgumentException("segments cover " + start + " elements of a tensor of "
          + "shape " + Arrays.toString(x.shapeRef()));
    }
    Tensor result = Tensor.wrap(new int[] {segments.length}, out);
    TapeStack.recordOther("segmentSum", new Tensor[] {x}, result,
        (g, in, o, needed) -> new Tensor[] {repeat(g, segments)});
    return result;
  }

  /** Element {@code s} of {@code a} repeated {@code lengths[s]} times: undoes a segment sum. */
  public static Tensor repeat(Operand a, int[] lengths) {
    Tensor x = a.asTensor();
    int[] segments = lengths.clone();
    if (x.rank() != 1 || x.size() != segments.length) {
      throw new IllegalArgumentException("repeat needs one value per segment");
    }
    int total = 0;
    for (int len : segments) {
      total += len;
    }
    double[] out = TensorScope.take(total);
    int start = 0;
    for (int s = 0; s < segments.length; s++) {
      Arrays.fill(out, start, start + segments[s], x.data[s]);
      start += segments[s];
    }
    Tensor result = Tensor.wrap(new int[] {total}, out);
    TapeStack.recordOther("repeat", new Tensor[] {x}, result,
        (g, in, o, needed) -> new Tensor[] {segmentSum(g, segments)});
    return result;
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
    double[] values = TensorScope.take(OpRecorder.sizeOf(shape));
    Arrays.fill(values, x.data[0]);
    Tensor out = Tensor.wrap(shape.clone(), values);
    TapeStack.record(OpKind.BROADCAST_TO, 0, new Tensor[] {x}, out,
        (g, in, o, needed) -> new Tensor[] {sum(g)});
    return out;
  }

  // ---- linear algebra ---------------------------------------------------------------------

  /**
   * The matrix–vector product {@code A·x}: {@code y_i = Σ_j A_ij x_j}, for {@code A} of shape
   * {@code [n, f]} and {@code x} of shape {@code [f]}; each sum in index order.
   */
  public static Tensor matvec(Operand matrix, Operand vector) {
    Tensor a = matrix.asTensor();
    Tensor x = vector.asTensor();
    int[] as = a.shapeRef();
    if (as.length != 2 || x.rank() != 1 || as[1] != x.size()) {
      throw new IllegalArgumentException("matvec needs [n, f] and [f], got "
          + Arrays.toString(as) + " and " + Arrays.toString(x.shapeRef()));
    }
    int n = as[0];
    int f = as[1];
    double[] out = TensorScope.take(n);
    for (int i = 0; i < n; i++) {
      double s = 0;
      for (int j = 0; j < f; j++) {
        s += a.data[i * f + j] * x.data[j];
      }
      out[i] = s;
    }
    Tensor y = Tensor.wrap(new int[] {n}, out);
    TapeStack.recordOther("matvec", new Tensor[] {a, x}, y, (g, in, o, needed) -> new Tensor[] {
        needed[0] ? outer(g, in[1]) : null,
        needed[1] ? vecmat(g, in[0]) : null});
    return y;
  }

  /**
   * The vector–matrix product {@code vᵀ·A}: {@code z_j = Σ_i v_i A_ij}, for {@code v} of shape
   * {@code [n]} and {@code A} of shape {@code [n, f]}; each sum in index order.
   */
  public static Tensor vecmat(Operand vector, Operand matrix) {
    Tensor v = vector.asTensor();
    Tensor a = matrix.asTensor();
    int[] as = a.shapeRef();
    if (as.length != 2 || v.rank() != 1 || as[0] != v.size()) {
      throw new IllegalArgumentException("vecmat needs [n] and [n, f], got "
          + Arrays.toString(v.shapeRef()) + " and " + Arrays.toString(as));
    }
    int n = as[0];
    int f = as[1];
    double[] out = TensorScope.takeZeroed(f);
    for (int i = 0; i < n; i++) {
      double vi = v.data[i];
      for (int j = 0; j < f; j++) {
        out[j] += vi * a.data[i * f + j];
      }
    }
    Tensor z = Tensor.wrap(new int[] {f}, out);
    TapeStack.recordOther("vecmat", new Tensor[] {v, a}, z, (g, in, o, needed) -> new Tensor[] {
        needed[0] ? matvec(in[1], g) : null,
        needed[1] ? outer(in[0], g) : null});
    return z;
  }

  /** The outer product {@code u·vᵀ}: a matrix of shape {@code [n, f]}. */
  public static Tensor outer(Operand left, Operand right) {
    Tensor u = left.asTensor();
    Tensor v = right.asTensor();
    if (u.rank() != 1 || v.rank() != 1) {
      throw new IllegalArgumentException("outer needs two vectors");
    }
    int n = u.size();
    int f = v.size();
    double[] out = TensorScope.take(n * f);
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < f; j++) {
        out[i * f + j] = u.data[i] * v.data[j];
      }
    }
    Tensor o = Tensor.wrap(new int[] {n, f}, out);
    TapeStack.recordOther("outer", new Tensor[] {u, v}, o,
        (g, in, out2, needed) -> new Tensor[] {
        needed[0] ? matvec(g, in[1]) : null,
        needed[1] ? vecmat(in[0], g) : null});
    return o;
  }

  private static final BackwardRule ADD = (g, in, out, needed) -> new Tensor[] {
      needed[0] ? OpRecorder.unbroadcast(g, in[0]) : null,
      needed[1] ? OpRecorder.unbroadcast(g, in[1]) : null};

  private static final BackwardRule SUB = (g, in, out, needed) -> new Tensor[] {
      needed[0] ? OpRecorder.unbroadcast(g, in[0]) : null,
      needed[1] ? OpRecorder.unbroadcast(neg(g), in[1]) : null};

  private static final BackwardRule MUL = (g, in, out, needed) -> new Tensor[] {
      needed[0] ? OpRecorder.unbroadcast(mul(g, in[1]), in[0]) : null,
      needed[1] ? OpRecorder.unbroadcast(mul(g, in[0]), in[1]) : null};

  // d(a/b)/da = 1/b, d(a/b)/db = −a/b²
  private static final BackwardRule DIV = (g, in, out, needed) -> new Tensor[] {
      needed[0] ? OpRecorder.unbroadcast(div(g, in[1]), in[0]) : null,
      needed[1] ? OpRecorder.unbroadcast(neg(div(mul(g, in[0]), square(in[1]))), in[1]) : null};
}
