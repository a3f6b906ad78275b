package dev.tapetrain.tape;

/**
 * The local derivative of one primitive op: given the gradient flowing into its output, the
 * gradient for each input. Rules are written with {@link Ops}, so an enclosing tape records them
 * and can differentiate them again.
 */
@FunctionalInterface
interface BackwardRule {

  /**
   * @param upstream gradient of the target with respect to {@code output}
   * @param inputs   the op's inputs, as recorded
   * @param output   the op's output, as recorded
   * @param needed   which inputs need a gradient; the rule may leave the others null
   * @return one gradient per input, shaped like that input, or null where not needed
   */
  Tensor[] backward(Tensor upstream, Tensor[] inputs, Tensor output, boolean[] needed);
}
