package dev.tapetrain.localrunner.api;

import dev.tapetrain.localrunner.trained.TrainedModel;
import dev.tapetrain.protocol.NamedTensor;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The result of a completed (or converged) {@link Trainer#fit()}: the trained model, read back
 * from the run's checkpoint bit for bit exactly as {@code local-runner predict} reads it.
 */
public final class TrainedRun {

  private final TrainedModel model;
  private final String status;
  private final long steps;
  private final double loss;
  private final Map<String, Double> metrics;

  TrainedRun(TrainedModel model, String status, long steps, double loss,
      Map<String, Double> metrics) {
    this.model = model;
    this.status = status;
    this.steps = steps;
    this.loss = loss;
    this.metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
  }

  /**
   * The model's output for each row of {@code x} ({@code [n][features]}): one value per row for
   * a regression predicting {@code [n]} or {@code [n, 1]}, k values for one predicting
   * {@code [n, k]} (as Keras' {@code predict} returns {@code (n, k)}), the K class probabilities
   * for a classifier. Runs the model's own
   * {@code predict}, as {@code local-runner predict} does.
   *
   * @throws IllegalArgumentException if a row does not have {@link #features()} values
   */
  public double[][] predict(double[][] x) {
    int f = model.features();
    double[] flat = new double[x.length * f];
    for (int i = 0; i < x.length; i++) {
      if (x[i].length != f) {
        throw new IllegalArgumentException("row " + i + " has " + x[i].length
            + " value(s); the model reads " + f + " (" + String.join(", ",
                model.featureColumns()) + ")");
      }
      System.arraycopy(x[i], 0, flat, i * f, f);
    }
    TrainedModel.Scores scores = model.score(flat, x.length);
    int width = scores.width();
    double[][] out = new double[x.length][width];
    for (int i = 0; i < x.length; i++) {
      System.arraycopy(scores.values(), i * width, out[i], 0, width);
    }
    return out;
  }

  /** The trained parameters by name, row-major (the linear model's {@code w} and {@code b}). */
  public Map<String, double[]> parameters() {
    Map<String, double[]> out = new LinkedHashMap<>();
    for (NamedTensor p : model.params()) {
      out.put(p.name(), p.values().clone());
    }
    return Collections.unmodifiableMap(out);
  }

  /** The shape of parameter {@code name} ({@code []} for a scalar). */
  public int[] shape(String name) {
    return model.params().stream().filter(p -> p.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no parameter '" + name + "'"))
        .shape().clone();
  }

  /** The model's metrics at the trained parameters (a classifier's {@code accuracy}). */
  public Map<String, Double> metrics() {
    return metrics;
  }

  /** The mean training loss at the trained parameters. */
  public double loss() {
    return loss;
  }

  /** The steps trained. */
  public long steps() {
    return steps;
  }

  /** {@code completed}, or {@code converged} when {@code --tolerance} stopped it early. */
  public String status() {
    return status;
  }

  /** The run directory: config.json, steps.jsonl, checkpoint.pb, summary.json. */
  public Path runDir() {
    return model.runDir();
  }

  /** The input features the model reads, in order. */
  public int features() {
    return model.features();
  }

  /** The number of classes of a classifier; 0 for a regression. */
  public int classes() {
    return model.classes();
  }
}
