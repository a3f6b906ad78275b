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
 * <p>What compiles today: a model on one feature ({@code x [n, 1]}) whose parameters are all
 * scalars, which reports no metric sums and whose loss uses elementwise ops, sums and one-column
 * row sums (the tutorial's linear model). Anything else is refused with a
 * {@link NotCompilableException} that names what (a parameter, an op) and is evaluated eagerly.
 *
 * <p>Order of use: {@link #compile} once, then {@link #segmentSums} per block of samples.
 */
public final class CompiledModel {

  private final CompiledFunction function;
  private final int width;

  private CompiledModel(CompiledFunction function, int width) {
    this.function = function;
    this.width = width;
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
    for (Parameter p : layout) {
      if (p.shape().length != 0) {
        throw new NotCompilableException("parameter " + p.name() + " has shape "
            + Arrays.toString(p.shape()) + "; compiled loops take scalar parameters");
      }
    }
    if (!model.metrics().isEmpty()) {
      throw new NotCompilableException("the model's metric sums " + model.metrics()
          + " are not compiled");
    }
    if (exampleX.length != 1) {
      throw new NotCompilableException("the data have " + exampleX.length + " features;"
          + " compiled loops take one ([n, 1] x)");
    }
    CompiledFunction.Body body = (v, s) -> {
      Map<String, Tensor> p = new LinkedHashMap<>();
      List<Tensor> sources = new ArrayList<>(layout.size());
      for (int k = 0; k < layout.size(); k++) {
        p.put(layout.get(k).name(), s[k]);
        sources.add(s[k]);
      }
      return ModelGradients.lossAndGradients(model, p, sources, v[0], v[1]);
    };
    CompiledFunction f = CompiledFunction.compile(body, new double[][] {exampleX[0], exampleY},
        new boolean[] {true, false}, scalars(layout.size(), exampleValues), compileAtRunTime);
    return f == null ? null : new CompiledModel(f, 1 + layout.size());
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
    function.applySegments(new double[][] {x[0], y}, from, lengths,
        scalars(width - 1, values), out);
  }

  /** The values of a row: the loss sum and one gradient value per parameter. */
  public int width() {
    return width;
  }

  /** The compiled function: its source, and whether its loop was compiled ahead of time. */
  public CompiledFunction function() {
    return function;
  }

  private static double[] scalars(int count, List<double[]> values) {
    if (values.size() != count) {
      throw new IllegalArgumentException("the model has " + count + " parameters, got "
          + values.size() + " values");
    }
    double[] s = new double[count];
    for (int k = 0; k < count; k++) {
      if (values.get(k).length != 1) {
        throw new IllegalArgumentException("parameter " + k + " is a scalar, got "
            + values.get(k).length + " values");
      }
      s[k] = values.get(k)[0];
    }
    return s;
  }
}
