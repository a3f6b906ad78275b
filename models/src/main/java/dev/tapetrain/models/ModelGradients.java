package dev.tapetrain.models;

import dev.tapetrain.tape.GradientTape;
import dev.tapetrain.tape.Tensor;
import dev.tapetrain.tape.UnconnectedGradients;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a worker computes for one chunk, for any {@link Model}: the loss sum, its gradient with
 * respect to every parameter (by the tape) and the metric sums. A parameter the loss does not
 * reach gets a zero gradient, so every chunk answers with the same names and shapes.
 */
public final class ModelGradients {

  private ModelGradients() {}

  /**
   * The sums of one chunk.
   *
   * @param lossSum    the loss summed over the chunk's samples
   * @param gradients  one per parameter, in the model's order, each of the parameter's size
   *                   (row-major)
   * @param metricSums one per {@link Model#metrics()} name
   */
  public record Sums(double lossSum, List<double[]> gradients, double[] metricSums) {}

  /**
   * Evaluates {@code model} at {@code values} (one per parameter, in the model's order,
   * row-major) on the samples {@code x [n, f]}, {@code y [n]}.
   *
   * @throws IllegalArgumentException if a value does not have its parameter's size
   * @throws ModelFailure if the model's own code throws or returns null (every worker would)
   */
  public static Sums of(Model model, List<double[]> values, Tensor x, Tensor y) {
    List<Parameter> parameters = ModelFailure.guard("parameters", model::parameters);
    if (values.size() != parameters.size()) {
      throw new IllegalArgumentException("the model has " + parameters.size()
          + " parameters, got " + values.size() + " values");
    }
    Map<String, Tensor> p = new LinkedHashMap<>();
    List<Tensor> sources = new ArrayList<>();
    for (int i = 0; i < parameters.size(); i++) {
      Parameter spec = parameters.get(i);
      Tensor t = tensor(spec, values.get(i));
      p.put(spec.name(), t);
      sources.add(t);
    }
    Tensor[] sums = lossAndGradients(model, p, sources, x, y);
    List<double[]> out = new ArrayList<>(parameters.size());
    for (int i = 1; i < sums.length; i++) {
      out.add(sums[i].toArray());
    }
    double[] metrics = ModelFailure.guard("metricSums", () -> model.metricSums(p, x, y));
    return new Sums(sums[0].item(), out, metrics);
  }

  /**
   * The tape's program for some samples, as {@link #of} runs it and as {@link CompiledModel}
   * traces it (one definition, so both compute the same bits): the model's loss sum and its
   * gradient with respect to each of {@code sources}, zeros where unconnected.
   *
   * @param p       the parameters by name, the values of {@code sources}
   * @param sources the parameters' tensors in the model's order
   * @return {@code [lossSum, gradient of each source]}
   */
  static Tensor[] lossAndGradients(Model model, Map<String, Tensor> p, List<Tensor> sources,
      Tensor x, Tensor y) {
    try (GradientTape tape = new GradientTape(false, false)) {
      tape.watch(sources.toArray(Tensor[]::new));
      Tensor loss = ModelFailure.guard("lossSum", () -> model.lossSum(p, x, y));
      if (loss.size() != 1) {
        throw new ModelFailure("lossSum returned " + loss.size() + " values, not a scalar",
            null);
      }
      // The backward rules run on the graph the model built: a shape the ops cannot take back
      // is the model's error as much as one they refused going forward.
      Tensor[] grads = ModelFailure.guard("lossSum's gradient",
          () -> tape.gradient(loss, sources, Tensor.scalar(1.0), UnconnectedGradients.ZERO));
      Tensor[] out = new Tensor[1 + grads.length];
      out[0] = loss;
      System.arraycopy(grads, 0, out, 1, grads.length);
      return out;
    }
  }

  /**
   * {@link Model#tracedMetricSums}, checked: null if the model writes its metrics in plain
   * Java, else one scalar per metric name.
   *
   * @throws ModelFailure if the model's code throws or gives the wrong number or shape
   */
  static Tensor[] tracedMetricSums(Model model, Map<String, Tensor> p, Tensor x, Tensor y) {
    // Null is an answer here (plain Java metrics), not a failure the guard would report.
    Tensor[] m = ModelFailure.guard("tracedMetricSums",
        () -> java.util.Optional.ofNullable(model.tracedMetricSums(p, x, y))).orElse(null);
    if (m == null) {
      return null;
    }
    if (m.length != model.metrics().size()) {
      throw new ModelFailure("tracedMetricSums returned " + m.length + " sums for "
          + model.metrics().size() + " metrics", null);
    }
    for (Tensor t : m) {
      if (t == null || t.size() != 1) {
        throw new ModelFailure("tracedMetricSums returned " + (t == null ? "null" : t.size()
            + " values") + " where a scalar sum belongs", null);
      }
    }
    return m;
  }

  /**
   * {@code values} as a tensor of {@code parameter}'s shape.
   *
   * @throws IllegalArgumentException if the sizes differ or the rank is above two
   */
  public static Tensor tensor(Parameter parameter, double[] values) {
    if (values.length != parameter.size()) {
      throw new IllegalArgumentException("parameter " + parameter + " has " + parameter.size()
          + " values, got " + values.length);
    }
    int[] s = parameter.shape();
    return switch (s.length) {
      case 0 -> Tensor.scalar(values[0]);
      case 1 -> Tensor.vector(values);
      case 2 -> Tensor.matrix(s[0], s[1], values);
      default -> throw new IllegalArgumentException("parameters have at most two dimensions: "
          + parameter);
    };
  }
}
