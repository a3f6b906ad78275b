package dev.tapetrain.coordinator;

import dev.tapetrain.protocol.NamedTensor;
import dev.tapetrain.protocol.WorkerProtocol.Outcome;
import java.util.List;

/**
 * How a run ended.
 *
 * @param status      completed, converged, diverged, failed or interrupted
 * @param steps       updates applied
 * @param plannedSteps updates asked for
 * @param initialLoss loss at the initial parameters (NaN if never computed)
 * @param loss        loss at {@code params} (NaN if never computed)
 * @param params      the last finite parameters
 * @param workers     workers that took part
 * @param trainNanos  time inside the step loop
 * @param message     why it ended, for anything but completed; empty otherwise
 */
public record RunSummary(Status status, long steps, long plannedSteps, double initialLoss,
    double loss, List<NamedTensor> params, int workers, long trainNanos, String message) {

  /** Copies the parameters. */
  public RunSummary {
    params = List.copyOf(params);
  }

  /**
   * The end of a run that stopped before training started ({@code status}, {@code message}):
   * nothing trained in this process, so a new run's numbers are none and a resumed one's are its
   * checkpoint's ({@code start}; null for a new run).
   */
  static RunSummary beforeTraining(Status status, long plannedSteps, TrainingState start,
      String message) {
    return new RunSummary(status, start == null ? 0 : start.steps(), plannedSteps, Double.NaN,
        start == null ? Double.NaN : start.loss(), start == null ? List.of() : start.params(), 0,
        0, message);
  }

  /** The end states of a run, with the process exit code of each. */
  public enum Status {
    /** All steps done. */
    COMPLETED(0),
    /** Stopped early: an update changed the parameters by less than the tolerance. */
    CONVERGED(0),
    /** A non-finite loss, gradient or parameter stopped training. */
    DIVERGED(3),
    /** No worker left, or a worker could not load its data. */
    FAILED(1),
    /** Stopped by a signal. */
    INTERRUPTED(130),
    /** Stopped early: the monitored number stopped improving (--early-stopping-patience). */
    STOPPED_EARLY(0);

    private final int exitCode;

    Status(int exitCode) {
      this.exitCode = exitCode;
    }

    /** The exit code of a process whose run ended this way. */
    public int exitCode() {
      return exitCode;
    }

    /** The lower-case name written to summary.json. */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** What the workers are told when a run ends this way. */
    public Outcome outcome() {
      return switch (this) {
        case COMPLETED -> Outcome.COMPLETED;
        case CONVERGED -> Outcome.CONVERGED;
        case DIVERGED -> Outcome.DIVERGED;
        case FAILED -> Outcome.FAILED;
        case INTERRUPTED -> Outcome.INTERRUPTED;
        // A worker's job ended well; workers of before early stopping know no other word.
        case STOPPED_EARLY -> Outcome.COMPLETED;
      };
    }
  }
}
