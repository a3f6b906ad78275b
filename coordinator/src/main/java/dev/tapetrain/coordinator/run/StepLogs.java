package dev.tapetrain.coordinator.run;

import dev.tapetrain.coordinator.StepRecord;
import dev.tapetrain.coordinator.TrainingEvent;
import dev.tapetrain.coordinator.spec.RunSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The logs a {@link RunDirectory} appends to as a run goes: {@code steps.jsonl} ({@link
 * StepLines}) and the TensorBoard events ({@link EventFile}) at every logged step, {@code
 * epochs.jsonl} ({@link EpochLines}) at every epoch's end. Steps and events are flushed together
 * at least every 0.1 s ({@link FlushCadence}), at a step with events and at the last step, and
 * forced to the disk before each checkpoint. Keeps the chain of logged steps (each line's {@code
 * prev}). A write that fails throws {@link UncheckedIOException} naming the file.
 */
final class StepLogs {

  private final Path dir;
  private final RunSpec spec;
  private final StepLines steps;
  private final EventFile tensorboard;
  private final EpochLines epochs;
  private final StepScalars scalars = new StepScalars();
  private final FlushCadence flushCadence = new FlushCadence();
  // The last two logged steps: the chain of `prev` fields, and what a checkpoint records.
  private long lastLogged;
  private long beforeLastLogged = -1;
  // The last step, if it was not logged (else null): logged after all if the run ends with it.
  private StepRecord unlogged;
  // The step before it, if it was not logged either: a diverged run ends with the step before
  // its last record (that record's loss or gradient is the first that is not finite).
  private StepRecord unloggedBefore;

  /**
   * Opens the logs of the run {@code spec} in {@code dir}, whose model shows the parameters
   * {@code flat} by name; {@code resumed} continues them after {@code fromSteps} steps, with
   * {@code lastLogged} the step the next line names as its {@code prev} (-1: none).
   */
  StepLogs(Path dir, RunSpec spec, List<String> flat, long fromSteps, long lastLogged,
      boolean resumed) throws IOException {
    this.dir = dir;
    this.spec = spec;
    this.lastLogged = lastLogged;
    this.steps = new StepLines(dir.resolve(RunDirectory.STEPS), flat);
    this.tensorboard = resumed ? EventFile.resume(dir, fromSteps) : EventFile.create(dir);
    this.epochs = new EpochLines(dir.resolve(EpochLines.FILE));
  }

  /**
   * Whether step {@code r} is logged: every log_every, at events, at a --validate-every
   * evaluation (its numbers exist only on this line), the planned last, before checkpoints. A
   * run that ends before its planned last step logs its last at {@link #ended}.
   */
  boolean logs(StepRecord r) {
    return r.step() % spec.logEvery() == 0 || isLast(r) || !r.events().isEmpty()
        || !Double.isNaN(r.valLoss()) || (r.step() + 1) % spec.checkpointEvery() == 0;
  }

  private boolean isLast(StepRecord r) {
    return r.step() == spec.steps() - 1;
  }

  /** Step {@code r} is not logged ({@link #logs}): kept in case the run ends with it. */
  void skipped(StepRecord r) {
    unloggedBefore = unlogged;
    unlogged = r;
  }

  /**
   * The run ended after {@code steps} steps: its last step is logged if it was not — a run that
   * stopped before its planned steps (--tolerance, early stopping) ends its steps.jsonl and its
   * TensorBoard events with the step it ended on, as a run of all its steps does. A diverged
   * run's record of the step that diverged came after that step and is not logged for it.
   */
  void ended(long steps, List<String> metricNames) {
    if (unlogged != null && unlogged.step() == steps - 1) {
      step(unlogged, metricNames);
    } else if (unloggedBefore != null && unloggedBefore.step() == steps - 1
        && unloggedBefore.step() > lastLogged) {
      step(unloggedBefore, metricNames);
    }
  }

  /** Logs step {@code r} (one that {@link #logs}) with the model's {@code metricNames}. */
  void step(StepRecord r, List<String> metricNames) {
    if (unlogged != null && unlogged.step() == r.step() - 1 && !Double.isFinite(r.loss())) {
      // A loss that is not finite ends the run as diverged after the step before, which then
      // ends the log before this line (at --log-every or a checkpoint's line it was skipped).
      StepRecord kept = unlogged;
      unlogged = null;
      step(kept, metricNames);
    }
    unloggedBefore = unlogged;
    unlogged = null;
    tensorboard.scalars(r.step(), scalars.tags(r, metricNames), scalars.values(r, metricNames));
    try {
      steps.write(r, lastLogged, metricNames);
      beforeLastLogged = lastLogged;
      lastLogged = r.step();
      if (isLast(r) || !r.events().isEmpty() || flushCadence.due()) {
        flush();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + dir.resolve(RunDirectory.STEPS) + ": "
          + e.getMessage(), e);
    }
  }

  /** Logs the end of epoch {@code e} with the model's {@code metricNames}. */
  void epoch(TrainingEvent.EpochEnded e, List<String> metricNames) {
    // At the epoch's last step, so that a resume cuts exactly the epochs it ends again.
    tensorboard.scalars(e.steps() - 1, EpochLines.scalars(e, metricNames));
    try {
      epochs.write(e, metricNames);
    } catch (IOException x) {
      throw new UncheckedIOException("cannot write " + dir.resolve(EpochLines.FILE) + ": "
          + x.getMessage(), x);
    }
  }

  /** The last logged step (-1: none). */
  long lastLogged() {
    return lastLogged;
  }

  /**
   * Forces every line logged so far to the disk and returns the last logged step before
   * {@code steps}, what a checkpoint after {@code steps} steps records as logged.
   */
  long forceBefore(long steps) {
    tensorboard.force();
    try {
      this.steps.force();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + dir.resolve(RunDirectory.STEPS) + ": "
          + e.getMessage(), e);
    }
    flushCadence.flushed();
    return lastLogged < steps ? lastLogged : beforeLastLogged;
  }

  private void flush() throws IOException {
    tensorboard.flush();
    steps.flush();
    flushCadence.flushed();
  }

  /** Closes the logs; the problem, for the summary's message, if one fails, else null. */
  String close() {
    try {
      steps.close();
      tensorboard.close();
      epochs.close();
      return null;
    } catch (IOException | UncheckedIOException e) {
      return "cannot write " + dir.resolve(RunDirectory.STEPS) + ": " + e.getMessage();
    }
  }
}
