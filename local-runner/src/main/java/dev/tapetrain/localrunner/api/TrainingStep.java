package dev.tapetrain.localrunner.api;

import java.util.Map;

/**
 * One training step, as {@code steps.jsonl} logs it: update {@code step} (0-based) was applied
 * and {@code loss} is the mean loss at the parameters after it.
 *
 * @param step       the step
 * @param loss       the mean loss after the update (the tutorial's "Loss at step i")
 * @param parameters every parameter after the update, by name, row-major
 * @param metrics    the model's metrics after the update (a classifier's {@code accuracy}); empty
 *                   for a model without metrics
 */
public record TrainingStep(long step, double loss, Map<String, double[]> parameters,
    Map<String, Double> metrics) {

  /** Copies the maps (not the arrays: they are this step's own copies). */
  public TrainingStep {
    parameters = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(parameters));
    metrics = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metrics));
  }
}
