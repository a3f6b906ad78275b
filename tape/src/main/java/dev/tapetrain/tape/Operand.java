package dev.tapetrain.tape;

/**
 * Anything an op accepts: a {@link Tensor}, or a {@link Variable} whose current value is read
 * (and, if trainable, watched by the active tapes).
 */
public interface Operand {

  /** The value to compute with. Reading a {@link Variable} this way is seen by open tapes. */
  Tensor asTensor();
}
