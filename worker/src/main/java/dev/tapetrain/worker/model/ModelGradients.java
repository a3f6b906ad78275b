package dev.tapetrain.worker.model;

import dev.tapetrain.protocol.NamedTensor;
import dev.tapetrain.worker.tape.GradientTape;
import dev.tapetrain.worker.tape.Tensor;
import dev.tapetrain.worker.tape.UnconnectedGradients;
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
   * @param gradients  one per parameter, in the model's order, same names and shapes
   * @param metricSums one per {@link Model#metrics()} name
   */
  public record Sums(double lossSum, List<NamedTensor> gradients, double[] metricSums) {}

  /**
   * Evaluates {@code model} at {@code values} (one per parameter, in order) on the samples
   * {@code x [n, f]}, {@code y [n]}.
   */
  public static Sums of(Model model, List<NamedTensor> values, Tensor x, Tensor y) {
    List<Parameter> parameters = model.parameters();
    if (values.size() != parameters.size()) {
      throw new IllegalArgumentException("the model has " + parameters.size()
          + " parameters, got " + values.size() + " values");
    }
    Map<String, Tensor> p = new LinkedHashMap<>();
    List<Tensor> sources = new ArrayList<>();
    for (int i = 0; i < parameters.size(); i++) {
      Parameter spec = parameters.get(i);
      NamedTensor v = values.get(i);
      if (!spec.name().equals(v.name()) || !java.util.Arrays.equals(spec.shape(), v.shape())) {
        throw new IllegalArgumentException("parameter " + i + " is " + spec + ", got " + v);
      }
      Tensor t = tensor(v);
      p.put(spec.name(), t);
      sources.add(t);
    }
    Tensor loss;
    Tensor[] grads;
    try (GradientTape tape = new GradientTape(false, false)) {
      tape.watch(sources.toArray(Tensor[]::new));
      loss = model.lossSum(p, x, y);
      grads = tape.gradient(loss, sources, Tensor.scalar(1.0), UnconnectedGradients.ZERO);
    }
    List<NamedTensor> out = new ArrayList<>(parameters.size());
    for (int i = 0; i < parameters.size(); i++) {
      out.add(values.get(i).withValues(grads[i].toArray()));
    }
    return new Sums(loss.item(), out, model.metricSums(p, x, y));
  }

  /** A parameter's values as a tensor of its shape. */
  static Tensor tensor(NamedTensor v) {
    int[] s = v.shape();
    return switch (s.length) {
      case 0 -> Tensor.scalar(v.values()[0]);
      case 1 -> Tensor.vector(v.values());
      case 2 -> Tensor.matrix(s[0], s[1], v.values());
      default -> throw new IllegalArgumentException("parameters have at most two dimensions: "
          + v);
    };
  }

  /** The step-0 values of {@code model}'s parameters. */
  public static List<NamedTensor> initialValues(Model model) {
    List<NamedTensor> out = new ArrayList<>();
    for (Parameter p : model.parameters()) {
      out.add(new NamedTensor(p.name(), p.shape(), p.initial()));
    }
    return out;
  }
}
