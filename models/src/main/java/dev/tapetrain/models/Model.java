package dev.tapetrain.models;

import dev.tapetrain.tape.Tensor;
import java.util.List;
import java.util.Map;

/**
 * A model tapetrain can train: named parameter tensors and a loss written with the tape's ops.
 * The gradients come from the tape, never from derivatives written by hand; whatever the model,
 * a worker returns per chunk the loss sum, the gradient sums and the metric sums, and everything
 * downstream (reduction, optimizers, checkpoints, the run directory) works on the parameters'
 * names and shapes alone.
 *
 * <p>Order of use: {@link ModelFactory#create} with the run's {@link ModelOptions}, then
 * {@link #parameters()} once (shapes and step-0 values), then per block of samples
 * {@link #lossSum} under a tape (see {@link ModelGradients}) and {@link #metricSums}, and
 * {@link #predict} on new data. Implementations are stateless: the parameter values are passed
 * in, as tensors the tape watches; a worker may call one model object from several threads at
 * once ({@code --worker-threads}, and its compile thread tracing the model while it loads).
 *
 * <p>Inputs: {@code x} is an {@code [n, f]} matrix (row-major, one sample per row), {@code y} an
 * {@code [n]} vector of targets (numbers for regression, class indices 0 … K−1 for classifiers).
 */
public interface Model {

  /** The parameters, in the order they are sent, reduced and checkpointed. */
  List<Parameter> parameters();

  /**
   * The sum over the {@code n} samples of the per-sample loss, a scalar, written with the tape's
   * ops ({@code Ops}, {@code MatrixOps}) on {@code params} (name → value).
   */
  Tensor lossSum(Map<String, Tensor> params, Tensor x, Tensor y);

  /**
   * Predictions for {@code x}: {@code [n]} values for regression; for classifiers the class
   * probabilities, {@code [n]} (of class 1) for a binary one, {@code [n, K]} else.
   */
  Tensor predict(Map<String, Tensor> params, Tensor x);

  /**
   * The number of classes if this model is a classifier, else 0 (a regression, the default).
   * It says how to read {@link #predict}: a binary classifier (2) gives the probability of class
   * 1 as {@code [n]}, a classifier of K &gt; 2 classes {@code [n, K]} probabilities. Tools that
   * score data ({@code predict}, ONNX export) label a sample with its most probable class (the
   * first on ties; class 1 of a binary one when its probability exceeds 0.5).
   */
  default int classes() {
    return 0;
  }

  /** Names of the metric sums this model reports (e.g. {@code accuracy}: correct predictions, whose mean is the accuracy); none by default. */
  default List<String> metrics() {
    return List.of();
  }

  /**
   * The metric sums over the samples, one per {@link #metrics()} name, in that order; the mean
   * of a metric is its sum over all chunks divided by the sample count.
   */
  default double[] metricSums(Map<String, Tensor> params, Tensor x, Tensor y) {
    Tensor[] traced = tracedMetricSums(params, x, y);
    if (traced == null) {
      return new double[0];
    }
    double[] sums = new double[traced.length];
    for (int m = 0; m < sums.length; m++) {
      sums[m] = traced[m].item();
    }
    return sums;
  }

  /**
   * The metric sums written with the tape's ops (scalars, one per {@link #metrics()} name, in
   * that order; e.g. {@code Ops.sum(Comparisons.equal(MatrixOps.rowArgmax(scores), y))}), so
   * the compiled loop computes them with the loss in one pass over the samples; by default
   * {@link #metricSums} gives their values. Null (the default) for metrics written in plain
   * Java: then {@link #metricSums} is the model's own code, and a compiled loop hands it a
   * row-major copy of every range of samples. Like the loss, they must run the same ops
   * whatever the values; no tape records them.
   */
  default Tensor[] tracedMetricSums(Map<String, Tensor> params, Tensor x, Tensor y) {
    return null;
  }

  /**
   * Checks one target value: null if this model can learn from it, else what is wrong (e.g. "2.5
   * is not a class 0 … 2"), for a message with the file and line. By default a class label
   * below {@link #classes()} for a classifier, any finite number for a regression.
   */
  default String checkTarget(double y) {
    if (classes() > 0) {
      return Losses.checkLabel(y, classes());
    }
    return Double.isFinite(y) ? null : y + " is not a finite number";
  }

}
