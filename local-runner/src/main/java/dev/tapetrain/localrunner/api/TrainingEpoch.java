package dev.tapetrain.localrunner.api;

import java.util.Map;

/**
 * One epoch, as {@code epochs.jsonl} logs it.
 *
 * @param epoch      the epoch, from 1
 * @param epochs     the epochs the run plans
 * @param steps      the updates done when it ended
 * @param loss       the sample-weighted mean of its steps' losses (each on its batch, before its
 *                   update), as Keras' {@code loss} of the epoch
 * @param metrics    the model's metrics the same way (a classifier's {@code accuracy})
 * @param valLoss    the validation loss at the parameters after the epoch; NaN when the run
 *                   does not validate
 * @param valMetrics the validation metrics, by the same names; empty when it does not validate
 */
public record TrainingEpoch(long epoch, long epochs, long steps, double loss,
    Map<String, Double> metrics, double valLoss, Map<String, Double> valMetrics) {

  /** Copies the maps. */
  public TrainingEpoch {
    metrics = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metrics));
    valMetrics = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(valMetrics));
  }
}
