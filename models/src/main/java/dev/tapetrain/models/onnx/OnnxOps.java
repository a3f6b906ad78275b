package dev.tapetrain.models.onnx;

import static dev.tapetrain.models.onnx.OnnxGraph.intAttr;
import static dev.tapetrain.models.onnx.OnnxGraph.intsAttr;

import dev.tapetrain.tape.TracedProgram.Constant;
import dev.tapetrain.tape.TracedProgram.Input;
import dev.tapetrain.tape.TracedProgram.Op;
import dev.tapetrain.tape.TracedProgram.Result;
import dev.tapetrain.tape.TracedProgram.Value;
import java.util.List;
import java.util.Map;

/**
 * The ONNX nodes (opset 13) of each tape op, one op at a time: the translation of a
 * {@link PredictionTrace} into an {@link OnnxGraph}. Each op becomes the ONNX operators that
 * compute the same function (the tape's broadcasting of a scalar is ONNX's); the arithmetic is
 * the runtime's, so results agree with the tape's to rounding, not bit for bit. An op with no
 * ONNX counterpart is refused by name ({@link #UNTRANSLATABLE}, or any op this class does not
 * know).
 */
final class OnnxOps {

  /** Ops that have no ONNX counterpart, and why. */
  static final Map<String, String> UNTRANSLATABLE = Map.of(
      "constant", "a Java function of each element",
      "segmentSum", "sums of segments whose lengths are fixed in the program",
      "repeat", "repeats whose counts are fixed in the program");

  private final OnnxGraph g;
  private final PredictionTrace trace;
  private final List<double[]> parameterValues;
  private final List<int[]> parameterShapes;
  private final String[] results;
  private final String[] parameters;
  private final List<String> parameterOnnxNames;

  private OnnxOps(OnnxGraph g, PredictionTrace trace, List<String> parameterNames,
      List<int[]> parameterShapes, List<double[]> parameterValues) {
    this.g = g;
    this.trace = trace;
    this.parameterShapes = parameterShapes;
    this.parameterValues = parameterValues;
    this.results = new String[trace.program().ops().size()];
    this.parameters = new String[parameterNames.size()];
    this.parameterOnnxNames = parameterNames.stream().map(g::reserve).toList();
  }

  /**
   * Adds the nodes of {@code trace}'s program to {@code g}: {@code x} is the graph's input,
   * parameters become initializers under their own names (only those the prediction reads;
   * one named like the input, an output or an earlier name gets a suffix, {@code x_1}).
   *
   * @return the name of the prediction's value
   * @throws dev.tapetrain.spi.UserError naming the first op with no ONNX counterpart
   */
  static String translate(String model, OnnxGraph g, PredictionTrace trace,
      List<String> parameterNames, List<int[]> parameterShapes, List<double[]> values) {
    OnnxOps ops = new OnnxOps(g, trace, parameterNames, parameterShapes, values);
    List<Op> program = trace.program().ops();
    for (int i = 0; i < program.size(); i++) {
      ops.results[i] = ops.op(model, i, program.get(i));
    }
    return ops.value(trace.program().output());
  }

  private String value(Value v) {
    if (v instanceof Result r) {
      return results[r.op()];
    }
    if (v instanceof Input in) {
      if (in.index() == 0) {
        return OnnxGraph.INPUT;
      }
      int k = in.index() - 1;
      if (parameters[k] == null) {
        parameters[k] = g.namedInitializer(parameterOnnxNames.get(k), parameterShapes.get(k),
            parameterValues.get(k));
      }
      return parameters[k];
    }
    Constant c = (Constant) v;
    return g.initializer("const", c.shape(), c.values());
  }

  private String op(String model, int index, Op op) {
    String why = UNTRANSLATABLE.get(op.name());
    if (why != null) {
      throw PredictionTrace.refused(model, "its prediction uses op '" + op.name() + "' ("
          + why + "), which has no ONNX counterpart");
    }
    List<String> in = op.inputs().stream().map(this::value).toList();
    return switch (op.name()) {
      case "add" -> g.node("Add", in);
      case "sub" -> g.node("Sub", in);
      case "mul" -> g.node("Mul", in);
      case "div" -> g.node("Div", in);
      case "mulAdd" -> g.node("Add", List.of(g.node("Mul", in.subList(0, 2)), in.get(2)));
      case "squaredDifference" -> square(g.node("Sub", in));
      case "twiceDifferenceTimes" -> g.node("Mul", List.of(in.get(0), g.node("Mul",
          List.of(g.node("Sub", in.subList(1, 3)), g.scalar(2.0)))));
      case "neg" -> g.node("Neg", in);
      case "square" -> square(in.get(0));
      case "sqrt" -> g.node("Sqrt", in);
      case "exp" -> g.node("Exp", in);
      case "log" -> g.node("Log", in);
      case "log1p" -> g.node("Log", List.of(g.node("Add", List.of(g.scalar(1.0), in.get(0)))));
      case "tanh" -> g.node("Tanh", in);
      case "sigmoid" -> g.node("Sigmoid", in);
      case "tanhBackward" -> g.node("Mul", List.of(in.get(0),
          g.node("Sub", List.of(g.scalar(1.0), square(in.get(1))))));
      case "abs" -> g.node("Abs", in);
      case "relu" -> g.node("Relu", in);
      case "pow" -> g.node("Pow", List.of(in.get(0), g.scalar(op.param())));
      case "sum" -> g.node("ReduceSum", in, intAttr("keepdims", 0));
      case "rowSum" -> reduceSum(in.get(0), 1);
      case "colSum" -> reduceSum(in.get(0), 0);
      case "rowMax" -> g.node("ReduceMax", in, intsAttr("axes", 1), intAttr("keepdims", 0));
      case "broadcastTo", "repeatRows" -> expand(in.get(0), index);
      case "repeatColumns" -> expand(unsqueeze(in.get(0), 1), index);
      case "matvec", "vecmat", "matmul" -> g.node("MatMul", in);
      case "matmulTransposedRight" -> einsum("ik,jk->ij", in);
      case "matmulTransposedLeft" -> einsum("ki,kj->ij", in);
      case "outer" -> g.node("Mul", List.of(unsqueeze(in.get(0), 1), unsqueeze(in.get(1), 0)));
      case "dense" -> g.node("Add", List.of(g.node("MatMul", in.subList(0, 2)), in.get(2)));
      case "transpose" -> transpose(in.get(0));
      default -> throw PredictionTrace.refused(model, "its prediction uses op '" + op.name()
          + "', which has no ONNX translation");
    };
  }

  private String square(String a) {
    return g.node("Mul", List.of(a, a));
  }

  private String reduceSum(String a, long axis) {
    return g.node("ReduceSum", List.of(a, g.int64s(axis)), intAttr("keepdims", 0));
  }

  private String unsqueeze(String a, long axis) {
    return g.node("Unsqueeze", List.of(a, g.int64s(axis)));
  }

  /**
   * {@code aᵀ}. As an Einsum, not a Transpose: ONNX Runtime fuses a Transpose that feeds a MatMul
   * into its FusedMatMul, which has no float64 kernel (1.23: the session fails to load).
   */
  private String transpose(String a) {
    return einsum("ij->ji", List.of(a));
  }

  private String einsum(String equation, List<String> in) {
    return g.node("Einsum", in, OnnxGraph.stringAttr("equation", equation));
  }

  /** {@code a} broadcast to op {@code index}'s shape, the number of rows read at run time. */
  private String expand(String a, int index) {
    return g.node("Expand", List.of(a, g.shape(trace.shape(index))));
  }

  /** The ops this translator knows (the cases of {@link #op}; OnnxExportTest runs each one). */
  static List<String> translated() {
    return List.of("add", "sub", "mul", "div", "mulAdd", "squaredDifference",
        "twiceDifferenceTimes", "neg", "square", "sqrt", "exp", "log", "log1p", "tanh",
        "sigmoid", "tanhBackward", "abs", "relu", "pow", "sum", "rowSum", "colSum", "rowMax", "broadcastTo",
        "repeatRows", "repeatColumns", "matvec", "vecmat", "matmul", "matmulTransposedRight",
        "matmulTransposedLeft", "outer", "dense", "transpose");
  }
}
