package dev.tapetrain.localrunner.api;

/**
 * Follows a {@link Trainer#fit()}: told every step, in order, on one thread of the run (not the
 * caller's). It should return quickly: the run's log waits for it. An exception it throws is
 * logged and does not stop training.
 */
@FunctionalInterface
public interface StepListener {

  /** Step {@code step.step()} is done. */
  void onStep(TrainingStep step);
}
