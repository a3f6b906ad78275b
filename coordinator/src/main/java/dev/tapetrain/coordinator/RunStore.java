package dev.tapetrain.coordinator;

/**
 * Where a run is kept (its directory): the events it records, the committed state, the
 * summary. Every write answers with a {@link Result}, so the coordinator, not an exception
 * thrown through a listener, decides what a failed write means for the run.
 *
 * <p>Order of use: {@link #record} per event (except {@link TrainingEvent.Finished}),
 * {@link #checkpoint} (or {@link #checkpointLater}) whenever a state is committed,
 * {@link #finish} once at the end.
 */
public interface RunStore {

  /** A write that went through. */
  Result OK = Ok.INSTANCE;

  /** A store that keeps nothing (tests, benchmarks). */
  RunStore NONE = new RunStore() {
    @Override
    public Result record(TrainingEvent event) {
      return OK;
    }

    @Override
    public Result checkpoint(TrainingState state) {
      return OK;
    }

    @Override
    public Result finish(RunSummary summary) {
      return OK;
    }
  };

  /**
   * Records {@code event} (a step's line, the workers and the model in the config), or ignores
   * it; a store may write it later, and then reports its failure with a later result, once.
   */
  Result record(TrainingEvent event);

  /** Commits {@code state}, after everything recorded before it. */
  Result checkpoint(TrainingState state);

  /**
   * Commits {@code state} as {@link #checkpoint} does, but a store may write it later, like a
   * recorded step, and then reports its failure with a later result, once. For the periodic
   * checkpoints (every {@code --checkpoint-every} updates), which the coordinator need not wait
   * for: a crash before the write leaves the previous checkpoint, as a crash just before the
   * commit would. The last checkpoint of a run is a {@link #checkpoint}.
   */
  default Result checkpointLater(TrainingState state) {
    return checkpoint(state);
  }

  /**
   * The run has reached {@code state} (its last good state after a step), written nowhere yet:
   * told after every step, so a run ended from outside while the coordinator cannot act (a
   * model holding every actor thread, {@code RunWatchdog}) ends with the steps it did, not the
   * last periodic checkpoint's. Must cost next to nothing; a store may ignore it.
   */
  default void reached(TrainingState state) {}

  /**
   * Round {@code round} starts after {@code updates} updates: told as each round starts, so a
   * run ended from outside while a model holds that round names its step
   * ({@link RoundNames#during}). Must cost next to nothing; a store may ignore it.
   */
  default void opened(Round round, long updates) {}

  /**
   * The state the last checkpoint written holds, if the store knows: what a resume continues
   * from, and what a run whose final checkpoint could not be written reports.
   */
  default java.util.Optional<TrainingState> committed() {
    return java.util.Optional.empty();
  }

  /** Writes the run's summary after everything recorded before it; the store is complete. */
  Result finish(RunSummary summary);

  /** How a write went: {@link #OK}, or {@link Failed} with the message to end the run with. */
  sealed interface Result permits Ok, Failed {}

  /** The write went through. */
  enum Ok implements Result {
    /** The one instance. */
    INSTANCE
  }

  /** The write failed; {@code message} names the file and the cause. */
  record Failed(String message) implements Result {}
}
