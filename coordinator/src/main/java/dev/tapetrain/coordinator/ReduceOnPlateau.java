package dev.tapetrain.coordinator;

import dev.tapetrain.coordinator.spec.EarlyStop;
import java.util.List;
import java.util.Optional;

/**
 * The state of Keras' {@code ReduceLROnPlateau} over a run's epochs ({@link EarlyStop}'s
 * {@code reduceFactor}, {@code reducePatience}, {@code minLr}, with the early-stopping rule's
 * {@code monitor} and {@code minDelta}): the best monitored number, the epochs since, and the
 * multiplier of the schedule's rate. After each epoch, in Keras' order: if {@code current <
 * best − minDelta} (for an accuracy {@code current > best + minDelta}), from a best of ±∞, it
 * becomes the best and the count 0; otherwise the count goes up and, once it reaches the
 * patience, if the rate of the next update is above {@code minLr}, the multiplier is multiplied
 * by the factor and the count is 0 again. Kept in the checkpoint ({@link #values()}).
 */
final class ReduceOnPlateau {

  private final EarlyStop rule;
  private double best;
  private long wait;
  private double multiplier = 1;

  /** The rule's state from {@code saved} ({@link #values()}; empty: before any epoch). */
  ReduceOnPlateau(EarlyStop rule, List<Double> saved) {
    this.rule = rule;
    if (saved.size() == 3) {
      best = saved.get(0);
      wait = (long) (double) saved.get(1);
      multiplier = saved.get(2);
    } else {
      best = rule.higherIsBetter() ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }
  }

  /**
   * Takes epoch {@code e}'s numbers (metrics named by {@code metricNames}) and the rate the
   * next update would have: a sentence saying how the rate is reduced, or empty.
   */
  Optional<String> onEpoch(TrainingEvent.EpochEnded e, List<String> metricNames,
      double nextRate) {
    if (!rule.reduces()) {
      return Optional.empty();
    }
    double current = EarlyStopping.monitored(rule.monitor(), e, metricNames);
    boolean improved = rule.higherIsBetter() ? current > best + rule.minDelta()
        : current < best - rule.minDelta();
    if (improved) {
      best = current;
      wait = 0;
      return Optional.empty();
    }
    wait++;
    if (wait >= rule.reducePatience() && nextRate > rule.minLr()) {
      multiplier *= rule.reduceFactor();
      wait = 0;
      return Optional.of(rule.monitor() + " did not improve for " + rule.reducePatience()
          + " epoch(s): the learning rate is multiplied by " + multiplier);
    }
    return Optional.empty();
  }

  /** The rule this applies. */
  EarlyStop rule() {
    return rule;
  }

  /** The rate of an update the schedule gives {@code scheduled}: reduced, not below min-lr. */
  double rate(double scheduled) {
    return multiplier == 1 ? scheduled : Math.max(scheduled * multiplier, rule.minLr());
  }

  /** {@code [best, epochs without improvement, multiplier]}, or empty while nothing is known. */
  List<Double> values() {
    return !rule.reduces() || Double.isInfinite(best) && wait == 0 ? List.of()
        : List.of(best, (double) wait, multiplier);
  }
}
