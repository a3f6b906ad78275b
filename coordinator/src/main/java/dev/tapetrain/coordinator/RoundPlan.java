package dev.tapetrain.coordinator;

import java.util.List;
import java.util.Optional;

/**
 * What each round of a run does and when training stops: the coordinator runs the rounds, the
 * plan decides them. Not a learning-rate schedule: the rate is the optimizer's.
 *
 * <p>Order of use: {@link #first()}; when a round completes with finite numbers,
 * {@link #stopAfter}; if that is empty, the coordinator applies the round's update (if it
 * trains) and runs {@link #next}. A non-finite loss, gradient or update ends the run whatever
 * the plan ({@link StepMath}).
 *
 * <p>Today's plan is {@link StepsPlan} (full batch, or a share of the chunks per round). A plan
 * of epochs of shuffled mini-batches with validation rounds (issue 26) is another
 * implementation; {@link RoundPlans#of} chooses from the run's options.
 */
public interface RoundPlan {

  /** The first round of the run; of a resumed run, the first after its checkpoint. */
  Round first();

  /**
   * Whether the run ends with {@code first}, its first round, before any update (a run resumed
   * after its last update): then it is the run's final evaluation.
   */
  default boolean endsWith(Round first) {
    return false;
  }

  /**
   * Whether training ends after {@code round}, whose numbers were finite and came to
   * {@code result}; empty: it goes on.
   */
  Optional<Stop> stopAfter(Round round, RoundResult result);

  /** The round after {@code done} (training went on after it). */
  Round next(Round done);

  /**
   * How many more rounds the plan has after {@code round}, at most: a run may converge or be
   * stopped sooner (full batch: rounds over the same samples; epochs: the updates left, one
   * batch each). 0: the plan does not say. Workers are told it, at loading and with each round,
   * so that they compile their model's loop at once (or while they load) when the work ahead is
   * worth it; it changes no result.
   */
  default long roundsAhead(Round round) {
    return 0;
  }

  /**
   * The epoch (from 1) whose training {@code round} completes, if it is the last update of an
   * epoch; empty for every other round, and for every round of a plan without epochs.
   */
  default java.util.OptionalLong endsEpoch(Round round) {
    return java.util.OptionalLong.empty();
  }

  /** Whether the plan evaluates a validation split after each epoch. */
  default boolean validates() {
    return false;
  }

  /**
   * Training stops early ({@code why}): the plan's next round is its last (a plan without epochs
   * never stops early and ignores it).
   */
  default void stopEarly(String why) {}

  /** The epochs of the plan (0: a plan without epochs). */
  default long epochs() {
    return 0;
  }

  /**
   * What a completed round came to, as a plan weighs it.
   *
   * @param updates    updates applied before the round (its parameters are after that many)
   * @param loss       the round's mean loss, with the penalty
   * @param metrics    the means of the model's metrics
   * @param lastChange how much the last update changed the parameters, relative to their norm
   *                   (NaN before this run's first update)
   */
  record RoundResult(long updates, double loss, List<Double> metrics, double lastChange) {
    /** Copies the metrics. */
    public RoundResult {
      metrics = List.copyOf(metrics);
    }
  }
}
