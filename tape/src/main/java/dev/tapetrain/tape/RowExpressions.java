package dev.tapetrain.tape;

import dev.tapetrain.tape.RowLoopGenerator.Value;
import java.util.function.Function;

/**
 * The Java expression of one element of an op the row loop computes elementwise
 * ({@link RowOps}): each the eager op's own arithmetic, so the loop gives its bits — an
 * {@link Arithmetic} method, or the Java operator or exact operation the eager op is.
 */
final class RowExpressions {

  /** The class generated loops call for each op's arithmetic. */
  static final String ARITHMETIC = Arithmetic.class.getName();

  private RowExpressions() {}

  /**
   * Element {@code e} of {@code op} on {@code in}, as a function of the element's index
   * expression; null for an op that is not elementwise.
   */
  static Function<String, String> of(Trace.Op op, Value[] in) {
    if (op.kind().elementwise()) {
      return e -> call(op, in, e);
    }
    String operator = Comparisons.operator(op.name());
    if (operator != null) {
      // An int choice, widened: exactly 1.0 or 0.0 as the eager op's, but HotSpot makes it a
      // conditional move, where a choice of doubles is a branch that mispredicts on masks of
      // mixed samples (the README's Huber model: 15.3 -> 8.5 ns a sample).
      return e -> "(" + in[0].at(e) + " " + operator + " " + in[1].at(e) + " ? 1 : 0)";
    }
    return switch (op.name()) {
      case "log1p" -> e -> ARITHMETIC + ".log1p(" + in[0].at(e) + ")";
      // Exact operations (no rounding), the same expressions as the eager ops' in Ops.
      case "sign" -> e -> ARITHMETIC + ".sign(" + in[0].at(e) + ")";
      case "abs" -> e -> "Math.abs(" + in[0].at(e) + ")";
      case "relu" -> e -> ARITHMETIC + ".relu(" + in[0].at(e) + ")";
      default -> null;
    };
  }

  /**
   * The element of an elementwise {@code op} whose inputs are the locals {@code names} (one value
   * each): what {@link LoopGenerator}'s loop, which has no rows, writes for it.
   */
  static String ofNamed(Trace.Op op, String[] names) {
    Value[] in = new Value[names.length];
    for (int k = 0; k < names.length; k++) {
      in[k] = new Value(RowLoopGenerator.Place.FIXED, 1, names[k], true, -1);
    }
    return of(op, in).apply("0");
  }

  /** Whether {@link #of} gives {@code op}'s element (it is elementwise). */
  static boolean elementwise(Trace.Op op) {
    return of(op, new Value[op.inputs().length]) != null;
  }

  /**
   * An elementwise kind's element: its {@link Arithmetic} method, or for the four operations the
   * Java operator those methods are (the same IEEE operation: Java's floating-point arithmetic
   * is strict), which keeps the per-sample method within HotSpot's inlining size for small
   * models (an {@code invokestatic} is three bytes, {@code dadd} one).
   */
  private static String call(Trace.Op op, Value[] in, String e) {
    String operator = switch (op.kind()) {
      case ADD -> " + ";
      case SUB -> " - ";
      case MUL -> " * ";
      case DIV -> " / ";
      default -> null;
    };
    if (operator != null) {
      return "(" + in[0].at(e) + operator + in[1].at(e) + ")";
    }
    StringBuilder call = new StringBuilder(ARITHMETIC).append('.').append(op.kind().method())
        .append('(');
    for (int k = 0; k < in.length; k++) {
      call.append(k > 0 ? ", " : "").append(in[k].at(e));
    }
    if (op.kind() == OpKind.POW) {
      call.append(", Double.longBitsToDouble(0x")
          .append(Long.toHexString(Double.doubleToRawLongBits(op.param()))).append("L)");
    }
    return call.append(')').toString();
  }
}
