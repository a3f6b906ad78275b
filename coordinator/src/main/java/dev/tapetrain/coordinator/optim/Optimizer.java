package dev.tapetrain.coordinator.optim;

import dev.tapetrain.protocol.NamedTensor;
import java.util.List;

/**
 * An update rule. Implementations are deterministic: the same parameters, gradients and state
 * give the same bits.
 */
public interface Optimizer {

  /** The name used on the command line. */
  String name();

  /** The step size. */
  double learningRate();

  /**
   * The parameters after one update.
   *
   * @param params current parameters
   * @param grads  mean gradients, one per parameter, same names and shapes, same order
   */
  List<NamedTensor> apply(List<NamedTensor> params, List<NamedTensor> grads);
}
