package dev.tapetrain.tape;

import java.util.function.DoubleBinaryOperator;

/**
 * Comparisons of tensors, elementwise: {@code 1.0} where the comparison holds, {@code 0.0} where
 * it does not (a NaN compares false, as Java's operators do). Their results are constants no
 * tape records (their gradient is zero wherever it exists), yet a {@link TracedProgram} and the
 * tape compiler see them, as ops named after the methods, so a compiled loop computes them per
 * sample: what counts of correct predictions (a metric) and masks of a loss are made of. A sum
 * of them is a count, exact in any order below 2⁵³.
 *
 * <p>Shapes broadcast as {@link Ops}' elementwise ops do: equal shapes, or a scalar against
 * anything.
 */
public final class Comparisons {

  private Comparisons() {}

  /** {@code a == b}. */
  public static Tensor equal(Operand a, Operand b) {
    return compare("equal", a, b, (x, y) -> x == y ? 1.0 : 0.0);
  }

  /** {@code a > b}. */
  public static Tensor greater(Operand a, Operand b) {
    return compare("greater", a, b, (x, y) -> x > y ? 1.0 : 0.0);
  }

  /** {@code a >= b}. */
  public static Tensor greaterEqual(Operand a, Operand b) {
    return compare("greaterEqual", a, b, (x, y) -> x >= y ? 1.0 : 0.0);
  }

  /** The Java operator of a comparison's traced name, for the compiler; null for another name. */
  static String operator(String name) {
    return switch (name) {
      case "equal" -> "==";
      case "greater" -> ">";
      case "greaterEqual" -> ">=";
      default -> null;
    };
  }

  private static Tensor compare(String name, Operand a, Operand b, DoubleBinaryOperator f) {
    Tensor x = a.asTensor();
    Tensor y = b.asTensor();
    int[] shape = OpRecorder.broadcastShape(x.shapeRef(), y.shapeRef());
    double[] out = new double[OpRecorder.sizeOf(shape)];
    for (int i = 0; i < out.length; i++) {
      out[i] = f.applyAsDouble(x.data[x.size() == 1 ? 0 : i], y.data[y.size() == 1 ? 0 : i]);
    }
    Tensor result = Tensor.wrap(shape, out);
    TapeStack.traceOnly(name, new Tensor[] {x, y}, result);
    return result;
  }
}
