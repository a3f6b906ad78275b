package dev.tapetrain.tape;

/**
 * What a recorded op computes, for a {@link Trace}. An elementwise kind's arithmetic is the
 * {@link Arithmetic} method named after it ({@link #method()}); its public op in {@link Ops}
 * applies that method eagerly and records the op's backward rule beside it, and
 * {@link LoopGenerator} fuses it into a compiled loop by calling the same method. Kinds it
 * cannot fuse are {@link #OTHER}.
 *
 * <p>Adding an elementwise op: a method in {@link Arithmetic}, a kind here, its loop in
 * {@link Kernels}, and its public op in {@link Ops} (forward and backward side by side); the
 * eager-versus-compiled test and {@code KernelsTest} walk every kind and fail until all four
 * agree.
 */
enum OpKind {
  ADD(2), SUB(2), MUL(2), DIV(2), MUL_ADD(3), SQUARED_DIFFERENCE(2), TWICE_DIFFERENCE_TIMES(3),
  NEG(1), SQUARE(1), SQRT(1), EXP(1), LOG(1), TANH(1), TANH_BACKWARD(2),
  /** The logistic function {@code 1/(1 + e⁻ᵃ)}. */
  SIGMOID(1),
  /** {@code 0 + a}: the row sums of a one-column matrix ({@code MatrixOps.rowSum}). */
  ROW_SUM_OF_ONE(1),
  /** {@code aᶜ}: one input, the exponent {@code c} is the op's parameter. */
  POW(1),
  /** The sum of all elements ({@link Kernels#sum} order). */
  SUM(0),
  /** A scalar repeated to a vector. */
  BROADCAST_TO(0),
  /** A vector as a one-column matrix, the same elements ({@code MatrixOps.repeatColumns}). */
  COLUMN(0),
  /** Anything else: segment sums, repeats, matrix products (a trace keeps the op's name). */
  OTHER(0);

  private final int arity;

  OpKind(int arity) {
    this.arity = arity;
  }

  /** Whether this kind is elementwise arithmetic (an {@link Arithmetic} method). */
  boolean elementwise() {
    return arity > 0;
  }

  /** Tensor inputs of an elementwise kind (POW's exponent is a parameter, not an input). */
  int arity() {
    return arity;
  }

  /** The name of its {@link Arithmetic} method: the kind's name in lower camel case. */
  String method() {
    StringBuilder b = new StringBuilder();
    boolean upper = false;
    for (char c : name().toCharArray()) {
      if (c == '_') {
        upper = true;
      } else {
        b.append(upper ? c : Character.toLowerCase(c));
        upper = false;
      }
    }
    return b.toString();
  }
}
