package dev.tapetrain.tape;

import java.util.Arrays;
import java.util.function.DoubleUnaryOperator;

/**
 * How an op of {@link Ops} runs: its kernel computes the result eagerly, then the op is recorded
 * on every open tape that tracks one of its inputs, with its backward rule. Split from
 * {@code Ops} so that file keeps only the ops, each forward beside its backward rule.
 */
final class OpRecorder {

  private OpRecorder() {}

  static int sizeOf(int[] shape) {
    int n = 1;
    for (int d : shape) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  @FunctionalInterface
  interface UnaryRule {
    Tensor grad(Tensor upstream, Tensor input, Tensor output);
  }

  static Tensor unary(OpKind kind, double param, Operand a, DoubleUnaryOperator f,
      UnaryRule rule) {
    Tensor x = a.asTensor();
    double[] out = TensorScope.take(x.data.length);
    if (!Kernels.unary(kind, param, x.data, out)) {
      Kernels.map(f, x.data, out);
    }
    Tensor result = Tensor.wrap(x.shapeRef(), out);
    TapeStack.record(kind, param, new Tensor[] {x}, result,
        (g, ins, o, needed) -> new Tensor[] {rule.grad(g, ins[0], o)});
    return result;
  }

  /** A one-input op with no kind of its own (never fused): {@code f} of every element. */
  static Tensor unary(String name, Operand a, DoubleUnaryOperator f, UnaryRule rule) {
    Tensor x = a.asTensor();
    double[] out = TensorScope.take(x.data.length);
    Kernels.map(f, x.data, out);
    Tensor result = Tensor.wrap(x.shapeRef(), out);
    TapeStack.recordOther(name, new Tensor[] {x}, result,
        (g, ins, o, needed) -> new Tensor[] {rule.grad(g, ins[0], o)});
    return result;
  }

  static Tensor ternary(OpKind kind, Operand a, Operand b, Operand c,
      BackwardRule rule) {
    Tensor x = a.asTensor();
    Tensor y = b.asTensor();
    Tensor z = c.asTensor();
    int[] shape = broadcastShape(broadcastShape(x.shapeRef(), y.shapeRef()), z.shapeRef());
    double[] out = TensorScope.take(sizeOf(shape));
    Kernels.ternary(kind, x.data, y.data, z.data, out);
    Tensor result = Tensor.wrap(shape, out);
    TapeStack.record(kind, 0, new Tensor[] {x, y, z}, result, rule);
    return result;
  }

  static Tensor binary(OpKind kind, Operand a, Operand b, BackwardRule rule) {
    Tensor x = a.asTensor();
    Tensor y = b.asTensor();
    int[] shape = broadcastShape(x.shapeRef(), y.shapeRef());
    double[] out = TensorScope.take(sizeOf(shape));
    Kernels.binary(kind, x.data, y.data, out);
    Tensor result = Tensor.wrap(shape, out);
    TapeStack.record(kind, 0, new Tensor[] {x, y}, result, rule);
    return result;
  }


  /** The shape of an elementwise result: equal shapes, or a scalar against anything. */
  static int[] broadcastShape(int[] x, int[] y) {
    if (Arrays.equals(x, y) || y.length == 0) {
      return x;
    }
    if (x.length == 0) {
      return y;
    }
    throw new IllegalArgumentException("shapes " + Arrays.toString(x) + " and "
        + Arrays.toString(y) + " do not broadcast");
  }

  /** Sums a gradient back to the shape of the input it flows into (undoes broadcasting). */
  static Tensor unbroadcast(Tensor g, Tensor input) {
    return g.rank() == input.rank() ? g : Ops.sum(g);
  }
}
