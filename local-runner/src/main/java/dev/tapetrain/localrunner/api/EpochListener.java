package dev.tapetrain.localrunner.api;

/**
 * Follows the epochs of a {@link Trainer#fit()} with {@code --epochs} (Keras'
 * {@code on_epoch_end}): told at the end of every epoch, in order, on one thread of the run (not
 * the caller's). It should return quickly: the run's log waits for it. An exception it throws is
 * logged and does not stop training.
 */
@FunctionalInterface
public interface EpochListener {

  /** Epoch {@code epoch.epoch()} is done. */
  void onEpoch(TrainingEpoch epoch);
}
