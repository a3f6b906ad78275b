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
 */
public record TrainingState(long steps, List<NamedTensor> params,
    List<NamedTensor> optimizerState, long stepDigest, double initialLoss, double loss) {

  /** Copies the lists. */
  public TrainingState {
    params = List.copyOf(params);
    optimizerState = List.copyOf(optimizerState);
  }
}
