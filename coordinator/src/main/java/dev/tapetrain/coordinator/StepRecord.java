package dev.tapetrain.coordinator;

import dev.tapetrain.protocol.Hashing;
import dev.tapetrain.protocol.NamedTensor;
import java.util.List;

/**
 * What happened in one step: update {@code step} was applied and {@code loss} is the loss at the
 * updated parameters (the tutorial's "Loss at step i").
 *
 * @param step         0-based step number
 * @param loss         mean loss after the update
 * @param params       parameters after the update
 * @param gradients    mean gradients the update used
 * @param learningRate the optimizer's step size
 * @param stepNanos    wall time of the step (update, broadcast, compute, reduce)
 * @param workers      per-worker share of the round that measured the loss after the update
 * @param ignored      chunk results ignored since the previous record (another round, unknown worker,
 *                     chunk not assigned to the sender, duplicate)
 * @param events       worker losses and chunk moves since the previous record
 * @param metrics      the means of the model's metrics at the parameters after the update, in
 *                     the order of {@link TrainingEvent.ModelAdopted}'s names
 * @param digest       hash of every loss, parameter and gradient bit of steps 0..step, chained,
 *                     so two runs can be compared even at steps that were not logged
 * @param valLoss      with {@code --validate-every}, the validation loss at the parameters
 *                     before the update (NaN: not validated before this step)
 * @param valMetrics   the validation metrics beside {@code valLoss} (empty: none)
 */
public record StepRecord(long step, double loss, List<NamedTensor> params,
    List<NamedTensor> gradients, double learningRate, long stepNanos, List<WorkerShare> workers,
    long ignored, List<Reassignment> events, long digest, List<Double> metrics, double valLoss,
    List<Double> valMetrics) {

  /** Copies the lists. */
  public StepRecord {
    params = List.copyOf(params);
    gradients = List.copyOf(gradients);
    workers = List.copyOf(workers);
    events = List.copyOf(events);
    metrics = List.copyOf(metrics);
    valMetrics = List.copyOf(valMetrics);
  }

  /** A record without validation numbers. */
  public StepRecord(long step, double loss, List<NamedTensor> params,
      List<NamedTensor> gradients, double learningRate, long stepNanos, List<WorkerShare> workers,
      long ignored, List<Reassignment> events, long digest, List<Double> metrics) {
    this(step, loss, params, gradients, learningRate, stepNanos, workers, ignored, events, digest,
        metrics, Double.NaN, List.of());
  }

  /** A record without metrics. */
  public StepRecord(long step, double loss, List<NamedTensor> params,
      List<NamedTensor> gradients, double learningRate, long stepNanos, List<WorkerShare> workers,
      long ignored, List<Reassignment> events, long digest) {
    this(step, loss, params, gradients, learningRate, stepNanos, workers, ignored, events, digest,
        List.of());
  }

  /** The digest of this step chained to {@code previous} (0 before step 0). */
  public static long chain(long previous, double loss, List<NamedTensor> params,
      List<NamedTensor> gradients) {
    long h = Hashing.add(previous, loss);
    for (List<NamedTensor> tensors : List.of(params, gradients)) {
      for (NamedTensor t : tensors) {
        for (double v : t.values()) {
          h = Hashing.add(h, v);
        }
      }
    }
    return h;
  }

  /** The digest as 16 hex digits, as written to steps.jsonl. */
  public static String hex(long digest) {
    // What String.format("%016x", digest) gives, without parsing a format every step.
    String h = Long.toHexString(digest);
    return "0".repeat(16 - h.length()) + h;
  }

  /** One worker's part of a step. */
  public record WorkerShare(String worker, int chunks, long samples, long computeNanos) {}

  /**
   * A worker was lost and its chunks moved, or a worker joined and took some.
   *
   * @param round        the round that was in progress (-1: none yet, the workers were loading)
   * @param worker       the lost (or joining) worker
   * @param reason       terminated, unreachable, missed the deadline, rejected its shard, …,
   *                     or {@code joined}
   * @param chunksMoved  how many chunks moved to the survivors (or to the joiner)
   * @param recoveryNanos from detecting the loss to the round's completion; for a joiner that
   *                     took over a run without workers, how long the run had none
   */
  public record Reassignment(long round, String worker, String reason, int chunksMoved,
      long recoveryNanos) {

    /** The reason of a worker that joined (its chunks came to it). */
    public static final String JOINED = "joined";

    /** Whether the worker joined, so the chunks moved to it rather than away from it. */
    public boolean joined() {
      return JOINED.equals(reason);
    }
  }
}
