package dev.tapetrain.models;

import dev.tapetrain.tape.FixedMath;
import dev.tapetrain.tape.Tensor;
import dev.tapetrain.tape.TracedProgram;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Whether a model's numbers depend on the numerics version (the bits of the tape's elementary
 * functions, {@link FixedMath#NUMERICS_VERSION}): they do when its loss computes one of the
 * functions a version fixes ({@code exp}, {@code tanh}, {@code sigmoid}; {@code log} and
 * {@code log1p} have been StrictMath's bits in every version). The linear models compute none,
 * so their runs have the same bits under every version and resume across them.
 */
public final class ModelNumerics {

  /** The numerics version of this build. */
  public static final int CURRENT = FixedMath.NUMERICS_VERSION;

  /** The ops whose bits a numerics version fixes, by their traced names. */
  private static final Set<String> VERSIONED = Set.of("exp", "tanh", "sigmoid");

  private ModelNumerics() {}

  /**
   * {@link #CURRENT} if {@code model}'s loss on {@code features} features uses a versioned
   * function, else 0. Found by tracing the loss once on two samples of zeros at the initial
   * parameters; a model whose loss fails there counts as depending on the version.
   */
  public static int version(Model model, int features) {
    List<Parameter> params = model.parameters();
    Tensor[] inputs = new Tensor[params.size() + 2];
    for (int i = 0; i < params.size(); i++) {
      inputs[i] = tensor(params.get(i).shape(), params.get(i).initial());
    }
    inputs[params.size()] = Tensor.matrix(2, features, new double[2 * features]);
    inputs[params.size() + 1] = Tensor.vector(0.0, 0.0);
    TracedProgram program;
    try {
      program = TracedProgram.trace(in -> {
        Map<String, Tensor> named = new HashMap<>();
        for (int i = 0; i < params.size(); i++) {
          named.put(params.get(i).name(), in[i]);
        }
        return model.lossSum(named, in[params.size()], in[params.size() + 1]);
      }, inputs);
    } catch (RuntimeException e) {
      return CURRENT; // cannot tell: the cautious answer
    }
    for (TracedProgram.Op op : program.ops()) {
      if (VERSIONED.contains(op.name())) {
        return CURRENT;
      }
    }
    return 0;
  }

  private static Tensor tensor(int[] shape, double[] values) {
    return switch (shape.length) {
      case 0 -> Tensor.scalar(values[0]);
      case 1 -> Tensor.vector(values);
      default -> Tensor.matrix(shape[0], shape[1], values);
    };
  }
}
