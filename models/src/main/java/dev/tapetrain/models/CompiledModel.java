package dev.tapetrain.models;

import dev.tapetrain.tape.CompiledFunction;
import dev.tapetrain.tape.NotCompilableException;
import dev.tapetrain.tape.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's loss sum and gradient sums compiled into one loop: the program
 * {@link ModelGradients#of} runs on the tape ({@link Model#lossSum} and the tape's gradients of
 * it), traced and compiled by {@link CompiledFunction}. For every range of samples it gives
 * what {@code ModelGradients.of} gives on those samples alone, bit for bit, in one pass with no
 * tensor per op. The trace depends on the model and its parameter layout only, never on the
 * number of samples, so a model is compiled once.
 *
 * <p>What compiles today: a model whose loss uses elementwise ops, comparisons, sums, dense
 * layers and matrix products with parameters, row sums, maxima and argmaxes and column sums, on
 * any number of features and parameters of any shape (the linear model on one feature or
 * several, the MLP, softmax); the loop runs over samples, each sample's row in locals, and adds
 * every sum in the eager tape's order. Metric sums written with the tape's ops
 * ({@link Model#tracedMetricSums}: the built-in classifiers' accuracy) are computed in the same
 * loop; metrics in plain Java run the model's own code on a row-major copy of each range.
 * Anything else is refused with a {@link NotCompilableException} that names what (an op) and
 * is evaluated eagerly.
 *
 * <p>Order of use: {@link #compile} once, then {@link #segmentSums} per block of samples.
 */
public final class CompiledModel {

  private final CompiledFunction function;
  private final int width;
  private final Model model;
  private final int metrics;
  /** Whether the loop computes the metric sums too ({@link Model#tracedMetricSums}). */
  private final boolean metricsCompiled;

  private CompiledModel(CompiledFunction function, int width, Model model, int metrics,
      boolean metricsCompiled) {
    this.function = function;
    this.width = width;
    this.model = model;
    this.metrics = metrics;
    this.metricsCompiled = metricsCompiled;
  }

  /**
   * Traces and compiles {@code model}'s sums.
   *
   * @param exampleX         the samples to trace on, one array per feature (at least 3 samples)
   * @param exampleY         their targets
   * @param exampleValues    parameter values to check the loop at, one per parameter in the
   *                         model's order
   * @param compileAtRunTime whether Janino may compile the loop now; if false, only a loop that
   *                         needs no compiler is used (precompiled, or compiled earlier in this
   *                         JVM)
   * @return the compiled sums, or null if {@code compileAtRunTime} is false and no loop is at hand
   * @throws NotCompilableException if the loop cannot compute this model (the message says why)
   */
  public static CompiledModel compile(Model model, double[][] exampleX, double[] exampleY,
      List<double[]> exampleValues, boolean compileAtRunTime) throws NotCompilableException {
    List<Parameter> layout = model.parameters();
    int[][] shapes = new int[layout.size()][];
    int size = 0;
    for (int k = 0; k < shapes.length; k++) {
      shapes[k] = layout.get(k).shape();
      size += layout.get(k).size();
    }
    int features = exampleX.length;
    int metrics = model.metrics().size();
    // Whether the model wrote its metrics with the tape's ops: they are then traced into the loop.
    boolean[] tracedMetrics = new boolean[1];
    CompiledFunction.Body body = (v, s) -> {
      Map<String, Tensor> p = new LinkedHashMap<>();
      List<Tensor> sources = new ArrayList<>(layout.size());
      for (int k = 0; k < layout.size(); k++) {
        p.put(layout.get(k).name(), s[k]);
        sources.add(s[k]);
      }
      Tensor[] sums = ModelGradients.lossAndGradients(model, p, sources, v[0], v[1]);
      Tensor[] m = metrics == 0 ? null : ModelGradients.tracedMetricSums(model, p, v[0], v[1]);
      tracedMetrics[0] = m != null;
      if (m == null) {
        return sums;
      }
      Tensor[] all = Arrays.copyOf(sums, sums.length + m.length);
      System.arraycopy(m, 0, all, sums.length, m.length);
      return all;
    };
    double[][] columns = Arrays.copyOf(exampleX, features + 1);
    columns[features] = exampleY;
    double[] params = new double[size];
    flattenInto(exampleValues, params);
    CompiledFunction f = CompiledFunction.compileRows(body, columns, new int[] {features, 0},
        params, shapes, compileAtRunTime);
    return f == null ? null
        : new CompiledModel(f, 1 + size + metrics, model, metrics, tracedMetrics[0]);
  }

  /**
   * The sums of consecutive ranges of samples, read in place: range {@code s} is the next
   * {@code lengths[s]} samples of {@code x} (one array per feature) and {@code y}, the first
   * starting at {@code from}, and its row {@code [lossSum, each parameter's gradient]} goes to
   * {@code out[s · width() …]}, bit for bit what {@link ModelGradients#of} gives for it alone.
   *
   * @param values the parameters' values, one per parameter in the model's order
   */
  public void segmentSums(double[][] x, double[] y, int from, int[] lengths,
      List<double[]> values, double[] out) {
    double[][] columns = Arrays.copyOf(x, x.length + 1);
    columns[x.length] = y;
    double[] params = new double[parameterValues()];
    flatten(values, params);
    segmentSums(columns, from, lengths, 0, lengths.length, params, values, out, 0);
  }

  /**
   * As {@link #segmentSums(double[][], double[], int, int[], List, double[])} for ranges
   * {@code first} to {@code end - 1} of {@code lengths} only (the first starting at sample
   * {@code from}), their rows at {@code out[at + (s - first) · width() …]}: one thread's share
   * of a round, each range's row the same bits whoever computes the others. Nothing is
   * allocated unless the model has metrics in plain Java (the steady state of a worker's round).
   *
   * @param columns the features' arrays, then the targets'
   * @param params  the parameters' values flattened by {@link #flatten}
   * @param values  the same values, one array per parameter (the metrics read them)
   */
  public void segmentSums(double[][] columns, int from, int[] lengths, int first, int end,
      double[] params, List<double[]> values, double[] out, int at) {
    if (metrics == 0 || metricsCompiled) {
      function.applySegments(columns, from, lengths, first, end, params, out, at);
      return;
    }
    int features = columns.length - 1;
    double[][] x = Arrays.copyOf(columns, features);
    double[] y = columns[features];
    List<Parameter> layout = model.parameters();
    Map<String, Tensor> p = new LinkedHashMap<>();
    for (int k = 0; k < layout.size(); k++) {
      p.put(layout.get(k).name(), ModelGradients.tensor(layout.get(k), values.get(k)));
    }
    int start = from;
    for (int s = first; s < end; s++) {
      int row = at + (s - first) * width;
      function.applySegments(columns, start, lengths, s, s + 1, params, out, row);
      // Metrics written in plain Java (a user's model): the model's own code on the
      // segment's rows, as the eager evaluation runs it.
      Tensor rows = rows(x, start, lengths[s]);
      Tensor targets = Tensor.view(Arrays.copyOfRange(y, start, start + lengths[s]));
      double[] m = ModelFailure.guard("metricSums", () -> model.metricSums(p, rows, targets));
      System.arraycopy(m, 0, out, row + width - metrics, metrics);
      start += lengths[s];
    }
  }

  /** Samples {@code [from, from + n)} of {@code x} (one array per feature) as {@code [n, f]}. */
  private static Tensor rows(double[][] x, int from, int n) {
    double[] rowMajor = new double[n * x.length];
    for (int f = 0; f < x.length; f++) {
      for (int i = 0; i < n; i++) {
        rowMajor[i * x.length + f] = x[f][from + i];
      }
    }
    return Tensor.viewMatrix(n, x.length, rowMajor);
  }

  /** The model's metric sums at the end of each row. */
  public int metricCount() {
    return metrics;
  }

  /**
   * Whether the loop computes the metric sums with the loss ({@link Model#tracedMetricSums});
   * if not (and the model has metrics), its own {@link Model#metricSums} runs on a row-major
   * copy of every range of samples.
   */
  public boolean metricsCompiled() {
    return metricsCompiled;
  }

  /**
   * The values of a row: the loss sum, one gradient value per parameter, then the metric
   * sums.
   */
  public int width() {
    return width;
  }

  /** The compiled function: its source, and whether its loop was compiled ahead of time. */
  public CompiledFunction function() {
    return function;
  }

  /** The number of parameter values, all parameters' together: {@link #flatten}'s length. */
  public int parameterValues() {
    return width - 1 - metrics;
  }

  /**
   * The parameters' values ({@code values}, one array per parameter in the model's order) one
   * after the other into {@code into}, of {@link #parameterValues()}.
   *
   * @throws IllegalArgumentException if they are not that many
   */
  public void flatten(List<double[]> values, double[] into) {
    if (into.length != parameterValues()) {
      throw new IllegalArgumentException("the model has " + parameterValues()
          + " parameter values, not " + into.length);
    }
    flattenInto(values, into);
  }

  /** {@code values} one after the other into {@code into}, which they must fill exactly. */
  private static void flattenInto(List<double[]> values, double[] into) {
    int size = into.length;
    int at = 0;
    for (double[] v : values) {
      if (at + v.length > size) {
        throw new IllegalArgumentException("the model has " + size + " parameter values, got"
            + " more");
      }
      System.arraycopy(v, 0, into, at, v.length);
      at += v.length;
    }
    if (at != size) {
      throw new IllegalArgumentException("the model has " + size + " parameter values, got "
          + at);
    }
  }
}
