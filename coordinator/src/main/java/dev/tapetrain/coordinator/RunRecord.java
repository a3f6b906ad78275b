package dev.tapetrain.coordinator;

import dev.tapetrain.coordinator.RunSummary.Status;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the coordinator tells and keeps of a run: every event to the {@link TrainingListener}
 * and the {@link RunStore}, the checkpoints of the last good state, and the run's end, where a
 * write that fails turns the end into a failure (the previous file stays whole: writes are
 * atomic). No Akka.
 */
final class RunRecord {

  private static final Logger LOG = LoggerFactory.getLogger(RunRecord.class);

  private final TrainingListener listener;
  private final RunStore store;
  private final StepMath math;
  private final long plannedSteps;
  // When training started (its first round), for the summary's train time.
  private boolean training;
  private long trainStartNanos;

  /** The record of a run of {@code plannedSteps} steps whose numbers {@code math} keeps. */
  RunRecord(TrainingListener listener, RunStore store, StepMath math, long plannedSteps) {
    this.listener = listener;
    this.store = store;
    this.math = math;
    this.plannedSteps = plannedSteps;
  }

  /** Training starts now: the summary's train time counts from here. */
  void trainingStarts() {
    training = true;
    trainStartNanos = System.nanoTime();
  }

  /** Tells {@code event} to the listener, then the store: empty, or the failure to end with. */
  Optional<Stop> tell(TrainingEvent event) {
    listener.on(event);
    return failure(store.record(event));
  }

  /**
   * The run's model is {@code layout} (the first worker's; of a {@code resumed} run, checked
   * against its checkpoint): the math takes its initial values and weights, and it is told.
   */
  Optional<Stop> modelAdopted(dev.tapetrain.protocol.ModelLayout layout, boolean resumed) {
    math.adoptModel(layout.initialParams(), layout.weights(), resumed);
    return tell(new TrainingEvent.ModelAdopted(layout.initialParams(), layout.metrics()));
  }

  /** {@code round} starts after {@code updates} updates: the store learns it (a volatile write). */
  void opened(Round round, long updates) {
    store.opened(round, updates);
  }

  /**
   * A round was told and decided: the store learns the state the run reached
   * ({@link RunStore#reached}), and commits it if {@code checkpointDue} ({@link #checkpoint}).
   */
  Optional<Stop> roundDone(boolean checkpointDue) {
    store.reached(math.lastGood());
    return checkpointDue ? checkpoint() : Optional.empty();
  }

  /**
   * Commits the last good state (a periodic checkpoint, which the store may write later): empty,
   * or the failure to end with (this one's, or an earlier write's).
   */
  Optional<Stop> checkpoint() {
    return failure(store.checkpointLater(math.lastGood()));
  }

  /**
   * Ends the run for {@code stop}: commits the last good state, writes the summary and tells
   * {@link TrainingEvent.Finished}; a write that failed makes the run failed (unless it already
   * was). {@code workers} took part.
   *
   * @return the summary as kept and told
   */
  RunSummary finish(Stop stop, int workers) {
    long trainNanos = training ? System.nanoTime() - trainStartNanos : 0;
    RunStore.Result kept = store.checkpoint(math.lastGood());
    Stop end = worse(stop, kept, "final checkpoint");
    // Without its final checkpoint the run keeps the last one written: the summary says that
    // state (its steps, loss and parameters), which a resume continues from, not steps it lost.
    TrainingState reported = kept instanceof RunStore.Failed
        ? store.committed().orElse(math.lastGood()) : math.lastGood();
    RunSummary summary = summary(end, workers, trainNanos, reported);
    Stop written = worse(end, store.finish(summary), "summary");
    if (written != end) {
      summary = summary(written, workers, trainNanos, reported);
    }
    listener.on(new TrainingEvent.Finished(summary));
    return summary;
  }

  private RunSummary summary(Stop end, int workers, long trainNanos, TrainingState state) {
    return new RunSummary(end.status(), state.steps(), plannedSteps, math.initialLoss(),
        state.loss(), state.params(), workers, trainNanos, end.detail());
  }

  /** {@code stop}, or the failure of {@code written} if it failed and the run had not. */
  private static Stop worse(Stop stop, RunStore.Result written, String what) {
    Optional<Stop> failed = failure(written);
    failed.ifPresent(f -> LOG.warn("{} not written: {}", what, f.detail()));
    return failed.isEmpty() || stop.status() == Status.FAILED ? stop : failed.get();
  }

  private static Optional<Stop> failure(RunStore.Result result) {
    return result instanceof RunStore.Failed f ? Optional.of(Stop.failed(f.message()))
        : Optional.empty();
  }
}
