package dev.tapetrain.coordinator;

import java.util.List;

/**
 * Receives the progress of a run from the coordinator, on one thread (the coordinator's, or a
 * {@link BackgroundListener}'s), in order:
 * {@link #onWorkersReady}, {@link #onInitialLoss}, {@link #onStep} per logged step,
 * {@link #onFinish} exactly once. Implementations: the console reporter and the run directory.
 */
public interface TrainingListener {

  /** A worker registered while the coordinator waits; {@code up} of {@code expected} are up. */
  default void onWorkerJoined(String worker, int up, int expected) {}

  /** Training is about to start with these workers. */
  default void onWorkersReady(List<String> workers) {}

  /**
   * The workers built the run's model: its parameters at step 0 and the names of its metrics
   * (e.g. {@code accuracy}). Called once, before the first step.
   */
  default void onModel(List<dev.tapetrain.protocol.NamedTensor> initialParams,
      List<String> metrics) {}

  /** The loss at the initial parameters. */
  default void onInitialLoss(double loss) {}

  /** A resumed run evaluated its checkpoint's parameters: training continues after {@code steps}. */
  default void onResumed(long steps, double loss) {}

  /** A state to commit to the checkpoint (every {@code --checkpoint-every} steps and at the end). */
  default void onCheckpoint(TrainingState state) {}

  /** Step {@code record.step()} is done (called for every step; implementations thin it). */
  default void onStep(StepRecord record) {}

  /**
   * The last worker was lost at {@code evaluation}; the run waits up to {@code timeout} for one
   * to come back or join before it fails.
   */
  default void onNoWorkerLeft(long evaluation, String lastLoss, java.time.Duration timeout) {}

  /** The run ended. */
  default void onFinish(RunSummary summary) {}

  /** A listener that forwards every call to each of {@code listeners}, in order. */
  static TrainingListener all(List<TrainingListener> listeners) {
    List<TrainingListener> copy = List.copyOf(listeners);
    return new TrainingListener() {
      @Override
      public void onWorkerJoined(String worker, int up, int expected) {
        copy.forEach(l -> l.onWorkerJoined(worker, up, expected));
      }

      @Override
      public void onWorkersReady(List<String> workers) {
        copy.forEach(l -> l.onWorkersReady(workers));
      }

      @Override
      public void onModel(List<dev.tapetrain.protocol.NamedTensor> initialParams,
          List<String> metrics) {
        copy.forEach(l -> l.onModel(initialParams, metrics));
      }

      @Override
      public void onInitialLoss(double loss) {
        copy.forEach(l -> l.onInitialLoss(loss));
      }

      @Override
      public void onResumed(long steps, double loss) {
        copy.forEach(l -> l.onResumed(steps, loss));
      }

      @Override
      public void onCheckpoint(TrainingState state) {
        copy.forEach(l -> l.onCheckpoint(state));
      }

      @Override
      public void onStep(StepRecord record) {
        copy.forEach(l -> l.onStep(record));
      }

      @Override
      public void onNoWorkerLeft(long evaluation, String lastLoss, java.time.Duration timeout) {
        copy.forEach(l -> l.onNoWorkerLeft(evaluation, lastLoss, timeout));
      }

      @Override
      public void onFinish(RunSummary summary) {
        copy.forEach(l -> l.onFinish(summary));
      }
    };
  }
}
