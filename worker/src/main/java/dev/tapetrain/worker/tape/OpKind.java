package dev.tapetrain.worker.tape;

/**
 * What a recorded op computes, for a {@link Trace}: {@link LoopGenerator} turns the elementwise
 * kinds and full sums into one compiled loop. Kinds it cannot fuse are {@link #OTHER}.
 */
enum OpKind {
  ADD, SUB, MUL, DIV, MUL_ADD, SQUARED_DIFFERENCE, TWICE_DIFFERENCE_TIMES,
  NEG, SQUARE, SQRT, EXP, LOG, TANH, POW,
  /** The sum of all elements ({@link Kernels#sum} order). */
  SUM,
  /** A scalar repeated to a vector. */
  BROADCAST_TO,
  /** Anything else: segment sums, repeats, matrix products. */
  OTHER
}
