package dev.tapetrain.coordinator;

import dev.tapetrain.protocol.NamedTensor;
import java.time.Duration;
import java.util.List;

/**
 * What the coordinator tells about a run, in this order: {@link WorkerJoined} while it waits,
 * {@link ModelAdopted} (as the first worker is admitted), {@link WaitingAgain} and more
 * {@link WorkerJoined} if the start loses every worker while loading, {@link WorkersReady}
 * (the admitted workers of the start), {@link InitialLoss} (or {@link Resumed}), a
 * {@link Step} per step, {@link EpochEnded} after each epoch of a run of epochs,
 * {@link Evaluated} after the last step of a run of epochs, {@link NoWorkerLeft} whenever the last worker is lost, and
 * {@link Finished} exactly once. {@link TrainingListener}s receive every event; the
 * {@link RunStore} records those it keeps.
 */
public sealed interface TrainingEvent {

  /** A worker registered while the coordinator waits; {@code up} of {@code expected} are up. */
  record WorkerJoined(String worker, int up, int expected) implements TrainingEvent {}

  /**
   * Every worker of the start was lost while loading ({@code lastLost}: the last one and why,
   * e.g. refused for other data): the coordinator waits up to {@code timeout} for {@code
   * expected} workers again, as at the start.
   */
  record WaitingAgain(String lastLost, int expected, Duration timeout) implements TrainingEvent {}

  /** Training is about to start with these workers: those of the start that were admitted. */
  record WorkersReady(List<String> workers) implements TrainingEvent {
    /** Copies the list. */
    public WorkersReady {
      workers = List.copyOf(workers);
    }
  }

  /**
   * The workers built the run's model: its parameters at step 0 and the names of its metrics
   * (e.g. {@code accuracy}). Once, before the first step.
   */
  record ModelAdopted(List<NamedTensor> initialParams, List<String> metrics)
      implements TrainingEvent {
    /** Copies the lists. */
    public ModelAdopted {
      initialParams = List.copyOf(initialParams);
      metrics = List.copyOf(metrics);
    }
  }

  /** The loss at the initial parameters. */
  record InitialLoss(double loss) implements TrainingEvent {}

  /**
   * A resumed run evaluated its checkpoint's parameters: {@code loss} after {@code steps}
   * updates, and training continues from there.
   */
  record Resumed(long steps, double loss) implements TrainingEvent {}

  /**
   * After the last update of a run of epochs: the loss and metric means over every training
   * sample at the final parameters, after {@code steps} updates.
   */
  record Evaluated(long steps, double loss, List<Double> metrics) implements TrainingEvent {
    /** Copies the metrics. */
    public Evaluated {
      metrics = List.copyOf(metrics);
    }
  }

  /**
   * Epoch {@code epoch} (from 1) of {@code epochs} ended after {@code steps} updates: the
   * sample-weighted means of its steps' losses and metrics (each taken on its batch before its
   * update), and, when the run validates, the validation loss and metrics at the parameters
   * after the epoch ({@code valLoss} NaN and {@code valMetrics} empty when it does not).
   * {@code reduced}: how reduce on plateau lowered the learning rate after this epoch, or null.
   */
  record EpochEnded(long epoch, long epochs, long steps, double loss, List<Double> metrics,
      double valLoss, List<Double> valMetrics, RateReduced reduced) implements TrainingEvent {
    /** Copies the lists. */
    public EpochEnded {
      metrics = List.copyOf(metrics);
      valMetrics = List.copyOf(valMetrics);
    }

    /** An epoch after which the rate was not reduced. */
    public EpochEnded(long epoch, long epochs, long steps, double loss, List<Double> metrics,
        double valLoss, List<Double> valMetrics) {
      this(epoch, epochs, steps, loss, metrics, valLoss, valMetrics, null);
    }

    /** This epoch, after which reduce on plateau lowered the rate as {@code reduced} says. */
    public EpochEnded with(RateReduced reduced) {
      return new EpochEnded(epoch, epochs, steps, loss, metrics, valLoss, valMetrics, reduced);
    }
  }

  /**
   * Reduce on plateau lowered the learning rate: {@code rate} is the next update's, because
   * {@code monitor} did not improve for {@code patience} epochs.
   */
  record RateReduced(double rate, String monitor, long patience) {}

  /**
   * The validation split was evaluated after {@code steps} updates, mid-epoch
   * ({@code --validate-every}); the numbers reach the next step's line.
   */
  record Validated(long steps, double loss, List<Double> metrics) implements TrainingEvent {
    /** Copies the metrics. */
    public Validated {
      metrics = List.copyOf(metrics);
    }
  }

  /** Step {@code record.step()} is done (told for every step; listeners thin it). */
  record Step(StepRecord record) implements TrainingEvent {}

  /**
   * The last worker was lost in round {@code round} ({@code lastLost}: the worker and why); the
   * run waits up to {@code timeout} for one to come back or join before it fails.
   */
  record NoWorkerLeft(long round, String lastLost, Duration timeout) implements TrainingEvent {}

  /** The run ended; its store has its summary. */
  record Finished(RunSummary summary) implements TrainingEvent {}
}
