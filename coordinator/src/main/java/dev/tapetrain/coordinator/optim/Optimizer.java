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

  /**
   * The parameters after one update with step size {@code learningRate} instead of
   * {@link #learningRate()}: a schedule's rate for this update ({@link LearningRateSchedule}),
   * used wherever the rule uses its step size. An optimizer that does not override this cannot
   * follow a schedule ({@link Optimizers#followsSchedules}): a run with one is refused.
   *
   * @throws UnsupportedOperationException if not overridden and the rate is not
   *     {@link #learningRate()}
   */
  default List<NamedTensor> apply(List<NamedTensor> params, List<NamedTensor> grads,
      double learningRate) {
    if (learningRate != learningRate()) {
      throw new UnsupportedOperationException("optimizer " + name() + " cannot follow a "
          + "learning-rate schedule");
    }
    return apply(params, grads);
  }

  /** The state that the next update depends on (empty for plain SGD), for checkpoints. */
  default List<NamedTensor> state() {
    return List.of();
  }

  /** Restores a state returned by {@link #state()} (a resumed run). */
  default void restore(List<NamedTensor> state) {
    if (!state.isEmpty()) {
      throw new IllegalArgumentException(name() + " has no state to restore");
    }
  }
}
