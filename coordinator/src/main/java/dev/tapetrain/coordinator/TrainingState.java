package dev.tapetrain.coordinator;

import dev.tapetrain.protocol.NamedTensor;
import java.util.List;

/**
 * A committed point of a run, what a checkpoint holds and a resumed run starts from.
 *
 * @param steps          updates applied
 * @param params         parameters after {@code steps} updates
 * @param optimizerState the optimizer's state after {@code steps} updates
 * @param stepDigest     chained digest of steps {@code 0..steps-1} (0 before any step)
 * @param initialLoss    loss at the initial parameters
 * @param loss           loss at {@code params}
 * @param epochSums      in a run of epochs, what the epoch in progress has summed of its steps
 *                       so far ({@link EpochSums#values()}); empty otherwise
 * @param earlyStopping  with early stopping, its state ({@link EarlyStopping#values()});
 *                       empty otherwise
 * @param bestParams     with {@code --restore-best}, the parameters after the best epoch so
 *                       far; empty otherwise
 * @param plateau        with reduce on plateau, its state ({@link ReduceOnPlateau#values()});
 *                       empty otherwise
 * @param lastParams     with {@code --restore-best}, once the best parameters replaced
 *                       {@code params} at the end of training: the parameters after the last
 *                       update; empty otherwise
 * @param stoppedEarly   why early stopping ended training, once it did (the run's next round
 *                       is its final one); empty while training goes on
 */
public record TrainingState(long steps, List<NamedTensor> params,
    List<NamedTensor> optimizerState, long stepDigest, double initialLoss, double loss,
    List<Double> epochSums, List<Double> earlyStopping, List<NamedTensor> bestParams,
    List<Double> plateau, List<NamedTensor> lastParams, String stoppedEarly) {

  /** A state of a run that early stopping has not ended. */
  public TrainingState(long steps, List<NamedTensor> params, List<NamedTensor> optimizerState,
      long stepDigest, double initialLoss, double loss, List<Double> epochSums,
      List<Double> earlyStopping, List<NamedTensor> bestParams, List<Double> plateau,
      List<NamedTensor> lastParams) {
    this(steps, params, optimizerState, stepDigest, initialLoss, loss, epochSums, earlyStopping,
        bestParams, plateau, lastParams, "");
  }

  /** A state whose parameters are the last update's. */
  public TrainingState(long steps, List<NamedTensor> params, List<NamedTensor> optimizerState,
      long stepDigest, double initialLoss, double loss, List<Double> epochSums,
      List<Double> earlyStopping, List<NamedTensor> bestParams, List<Double> plateau) {
    this(steps, params, optimizerState, stepDigest, initialLoss, loss, epochSums, earlyStopping,
        bestParams, plateau, List.of());
  }

  /** A state without reduce on plateau. */
  public TrainingState(long steps, List<NamedTensor> params, List<NamedTensor> optimizerState,
      long stepDigest, double initialLoss, double loss, List<Double> epochSums,
      List<Double> earlyStopping, List<NamedTensor> bestParams) {
    this(steps, params, optimizerState, stepDigest, initialLoss, loss, epochSums, earlyStopping,
        bestParams, List.of());
  }

  /** Copies the lists. */
  public TrainingState {
    params = List.copyOf(params);
    optimizerState = List.copyOf(optimizerState);
    epochSums = List.copyOf(epochSums);
    earlyStopping = List.copyOf(earlyStopping);
    bestParams = List.copyOf(bestParams);
    plateau = List.copyOf(plateau);
    lastParams = List.copyOf(lastParams);
    java.util.Objects.requireNonNull(stoppedEarly, "stoppedEarly");
  }

  /** A state outside an epoch (a run of steps, or at an epoch's start). */
  public TrainingState(long steps, List<NamedTensor> params, List<NamedTensor> optimizerState,
      long stepDigest, double initialLoss, double loss) {
    this(steps, params, optimizerState, stepDigest, initialLoss, loss, List.of(), List.of(),
        List.of());
  }
}
