package dev.tapetrain.coordinator;

import java.util.ArrayList;
import java.util.List;

/**
 * What an epoch's steps add up to, for its summary line: each step's mean loss and metric means
 * weighted by its batch's samples, and those samples — so the epoch's loss is the
 * sample-weighted mean of its steps' losses (what Keras shows). Kept in the checkpoint, so a run
 * resumed mid-epoch reports the same epoch numbers.
 */
final class EpochSums {

  private double loss;
  private double[] metrics = new double[0];
  private long samples;

  /** Empty: at an epoch's start. */
  EpochSums() {}

  /** The sums of {@link #values()}, as a checkpoint keeps them (empty: none). */
  EpochSums(List<Double> values) {
    if (!values.isEmpty()) {
      loss = values.get(0);
      samples = (long) (double) values.get(1);
      metrics = new double[values.size() - 2];
      for (int i = 0; i < metrics.length; i++) {
        metrics[i] = values.get(2 + i);
      }
    }
  }

  /** Adds a step of {@code samples} samples with mean {@code loss} and {@code metrics}. */
  void add(double meanLoss, List<Double> metricMeans, long count) {
    if (metrics.length != metricMeans.size()) {
      metrics = new double[metricMeans.size()];
    }
    loss += meanLoss * count;
    for (int i = 0; i < metrics.length; i++) {
      metrics[i] += metricMeans.get(i) * count;
    }
    samples += count;
  }

  /** The epoch's mean loss (NaN before any step). */
  double meanLoss() {
    return loss / samples;
  }

  /** The epoch's metric means. */
  List<Double> meanMetrics() {
    List<Double> out = new ArrayList<>(metrics.length);
    for (double m : metrics) {
      out.add(m / samples);
    }
    return out;
  }

  /** {@code [loss·n sum, n, metric·n sums …]}, or empty before any step. */
  List<Double> values() {
    if (samples == 0) {
      return List.of();
    }
    List<Double> out = new ArrayList<>(2 + metrics.length);
    out.add(loss);
    out.add((double) samples);
    for (double m : metrics) {
      out.add(m);
    }
    return out;
  }
}
