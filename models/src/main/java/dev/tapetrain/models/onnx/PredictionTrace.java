package dev.tapetrain.models.onnx;

import dev.tapetrain.models.Model;
import dev.tapetrain.models.Parameter;
import dev.tapetrain.spi.UserError;
import dev.tapetrain.tape.Tensor;
import dev.tapetrain.tape.TracedProgram;
import dev.tapetrain.tape.TracedProgram.Constant;
import dev.tapetrain.tape.TracedProgram.Input;
import dev.tapetrain.tape.TracedProgram.Op;
import dev.tapetrain.tape.TracedProgram.Result;
import dev.tapetrain.tape.TracedProgram.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A model's prediction ({@link Model#predict}) as a program with symbolic shapes: traced twice,
 * on {@value #ROWS_A} and on {@value #ROWS_B} rows of different values, with the trained
 * parameters. The two traces must be the same program: the same ops reading the same values,
 * and the same constants bit for bit. A dimension that is the number of rows in both becomes
 * {@link OnnxGraph#N}; any other must not change. So a graph written from it computes the
 * prediction for any number of rows, and a prediction that depends on the data in a way a graph
 * cannot hold (branching on values, constants made from them, sizes other than the row count)
 * is refused with one line saying so instead of being written wrong.
 *
 * <p>Inputs of the program: 0 is {@code x [N, f]}, {@code 1 + i} is parameter {@code i} in the
 * model's order.
 */
final class PredictionTrace {

  static final int ROWS_A = 5;
  static final int ROWS_B = 8;

  private final TracedProgram program;
  private final List<long[]> shapes;
  private final long[] outputShape;

  private PredictionTrace(TracedProgram program, List<long[]> shapes, long[] outputShape) {
    this.program = program;
    this.shapes = shapes;
    this.outputShape = outputShape;
  }

  /**
   * Traces {@code model}'s prediction.
   *
   * @param name     the model's name, for messages
   * @param values   the trained values, one per parameter in the model's order
   * @param features the number of columns of {@code x}
   * @throws UserError if the two traces differ or the model fails while traced
   */
  static PredictionTrace of(String name, Model model, List<double[]> values, int features) {
    TracedProgram a = trace(name, model, values, features, ROWS_A, 1);
    TracedProgram b = trace(name, model, values, features, ROWS_B, 2);
    String problem = difference(a, b);
    if (problem != null) {
      throw refused(name, problem);
    }
    List<long[]> shapes = new ArrayList<>();
    for (int i = 0; i < a.ops().size(); i++) {
      Op op = a.ops().get(i);
      shapes.add(symbolic(name, op.name(), op.shape(), b.ops().get(i).shape()));
    }
    return new PredictionTrace(a, List.copyOf(shapes),
        symbolic(name, "the prediction", a.outputShape(), b.outputShape()));
  }

  /** The program, as traced on {@value #ROWS_A} rows. */
  TracedProgram program() {
    return program;
  }

  /** The shape of op {@code i}'s result, {@link OnnxGraph#N} for the number of rows. */
  long[] shape(int op) {
    return shapes.get(op).clone();
  }

  /** The shape of the prediction. */
  long[] outputShape() {
    return outputShape.clone();
  }

  static UserError refused(String name, String why) {
    return new UserError("model '" + name + "' cannot be exported to ONNX: " + why
        + " (score it with 'predict')");
  }

  private static TracedProgram trace(String name, Model model, List<double[]> values,
      int features, int rows, long seed) {
    List<Parameter> layout = model.parameters();
    Tensor[] inputs = new Tensor[1 + layout.size()];
    Random random = new Random(seed);
    double[] x = new double[rows * features];
    for (int i = 0; i < x.length; i++) {
      x[i] = random.nextGaussian();
    }
    inputs[0] = Tensor.matrix(rows, features, x);
    for (int k = 0; k < layout.size(); k++) {
      int[] shape = layout.get(k).shape();
      double[] v = values.get(k);
      inputs[1 + k] = switch (shape.length) {
        case 0 -> Tensor.scalar(v[0]);
        case 1 -> Tensor.vector(v);
        default -> Tensor.matrix(shape[0], shape[1], v);
      };
    }
    try {
      return TracedProgram.trace(in -> {
        Map<String, Tensor> params = new LinkedHashMap<>();
        for (int k = 0; k < layout.size(); k++) {
          params.put(layout.get(k).name(), in[1 + k]);
        }
        return model.predict(params, in[0]);
      }, inputs);
    } catch (RuntimeException e) {
      throw refused(name, "its prediction failed on " + rows + " rows: " + e);
    }
  }

  /** Null if {@code a} and {@code b} are one program, else how they differ. */
  private static String difference(TracedProgram a, TracedProgram b) {
    List<Op> as = a.ops();
    List<Op> bs = b.ops();
    for (int i = 0; i < Math.min(as.size(), bs.size()); i++) {
      Op x = as.get(i);
      Op y = bs.get(i);
      if (!x.name().equals(y.name()) || Double.compare(x.param(), y.param()) != 0
          || x.inputs().size() != y.inputs().size()) {
        return "its prediction runs other ops on other data (op " + i + " is " + x.name()
            + " on " + ROWS_A + " rows, " + y.name() + " on " + ROWS_B + ")";
      }
      for (int k = 0; k < x.inputs().size(); k++) {
        String problem = difference(x.inputs().get(k), y.inputs().get(k));
        if (problem != null) {
          return "op " + x.name() + " reads " + problem;
        }
      }
    }
    if (as.size() != bs.size()) {
      return "its prediction runs " + as.size() + " ops on " + ROWS_A + " rows but "
          + bs.size() + " on " + ROWS_B;
    }
    String problem = difference(a.output(), b.output());
    return problem == null ? null : "its result is " + problem;
  }

  private static String difference(Value x, Value y) {
    if (x instanceof Constant c && y instanceof Constant d) {
      if (!Arrays.equals(c.shape(), d.shape())) {
        return "a tensor made outside the tape's ops whose shape depends on the number of rows";
      }
      if (!Arrays.equals(c.values(), d.values())) {
        return "a tensor made outside the tape's ops from the data (their values or their"
            + " number of rows)";
      }
      return null;
    }
    if (x.equals(y) && (x instanceof Input || x instanceof Result)) {
      return null;
    }
    return "other values on other data (" + x + " and " + y + ")";
  }

  /** The shape of {@code a} with the number of rows as {@link OnnxGraph#N}. */
  private static long[] symbolic(String name, String what, int[] a, int[] b) {
    if (a.length != b.length) {
      throw refused(name, what + " has shape " + Arrays.toString(a) + " on " + ROWS_A
          + " rows but " + Arrays.toString(b) + " on " + ROWS_B);
    }
    long[] dims = new long[a.length];
    for (int d = 0; d < a.length; d++) {
      if (a[d] == b[d]) {
        dims[d] = a[d];
      } else if (a[d] == ROWS_A && b[d] == ROWS_B) {
        dims[d] = OnnxGraph.N;
      } else {
        throw refused(name, what + " has shape " + Arrays.toString(a) + " on " + ROWS_A
            + " rows but " + Arrays.toString(b) + " on " + ROWS_B + " (a size other than the "
            + "number of rows that depends on it)");
      }
    }
    return dims;
  }
}
