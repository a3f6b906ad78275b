package dev.tapetrain.models.onnx;

import dev.tapetrain.models.onnx.proto.AttributeProto;
import dev.tapetrain.models.onnx.proto.GraphProto;
import dev.tapetrain.models.onnx.proto.ModelProto;
import dev.tapetrain.models.onnx.proto.NodeProto;
import dev.tapetrain.models.onnx.proto.OperatorSetIdProto;
import dev.tapetrain.models.onnx.proto.StringStringEntryProto;
import dev.tapetrain.models.onnx.proto.TensorProto;
import dev.tapetrain.models.onnx.proto.TensorShapeProto;
import dev.tapetrain.models.onnx.proto.TypeProto;
import dev.tapetrain.models.onnx.proto.ValueInfoProto;
import dev.tapetrain.models.Model;
import dev.tapetrain.models.Parameter;
import dev.tapetrain.spi.UserError;
import java.util.List;

/**
 * Writes a trained built-in model as an ONNX graph (opset 13, IR version 7) that computes what
 * {@code Model.predict} computes, operation for operation:
 * <table>
 *   <caption>graphs</caption>
 *   <tr><th>model</th><th>graph</th><th>outputs</th></tr>
 *   <tr><td>linear</td><td>{@code x·w + b}</td><td>{@code y [N]}</td></tr>
 *   <tr><td>logistic</td><td>{@code p = 1 / (1 + exp(−(x·w + b)))}</td>
 *       <td>{@code probabilities [N, 2]} = {@code [1 − p, p]}, {@code label [N]} = {@code p > 0.5}
 *       </td></tr>
 *   <tr><td>softmax</td><td>{@code softmax(x·w + b)}</td>
 *       <td>{@code probabilities [N, K]}, {@code label [N]} = argmax (first on ties)</td></tr>
 *   <tr><td>mlp</td><td>{@code tanh(x·w1 + b1)·w2 + b2}</td>
 *       <td>{@code y [N]}, or with classes softmax → {@code probabilities}, {@code label}</td></tr>
 * </table>
 * The input is {@code x [N, f]} in the order of the run's feature columns (recorded in the
 * model's metadata, {@code features}). Labels are int64; everything else is float64 or, when
 * asked, float32 (the parameters rounded once).
 */
public final class OnnxExport {

  /** The ONNX operator set the graphs use (Softmax's per-row semantics need 13). */
  public static final int OPSET = 13;
  /** The IR version that goes with {@link #OPSET}. */
  public static final int IR_VERSION = 7;

  /** The models this exporter knows the graph of. */
  public static final List<String> EXPORTABLE = List.of("linear", "logistic", "softmax", "mlp");

  private OnnxExport() {}

  /**
   * A trained model as the exporter needs it.
   *
   * @param name           the model's name ({@code --model})
   * @param model          the model, as the run built it (its parameters' names and shapes)
   * @param values         the trained values, one per parameter in the model's order
   * @param featureColumns the input columns, in the order the model reads them
   * @param targetColumn   the target column of the training data
   * @param step           how many steps trained the values
   * @param doc            where the values come from, for the file's description
   */
  public record Trained(String name, Model model, List<double[]> values,
      List<String> featureColumns, String targetColumn, long step, String doc) {

    /** Copies the lists. */
    public Trained {
      values = List.copyOf(values);
      featureColumns = List.copyOf(featureColumns);
    }

    int features() {
      return featureColumns.size();
    }

    int classes() {
      return model.classes();
    }
  }

  /** A parameter's trained values with its shape. */
  private record Values(String name, int[] shape, double[] values) {}

  /**
   * The ONNX model of {@code trained}.
   *
   * @param float32 write float32 tensors (else float64)
   * @throws UserError if the model is not one this exporter knows
   */
  public static ModelProto export(Trained trained, boolean float32) {
    if (!EXPORTABLE.contains(trained.name())) {
      throw new UserError("model '" + trained.name() + "' is not a built-in model; ONNX "
          + "export covers " + String.join(", ", EXPORTABLE) + " (score a user's own model with"
          + " 'local-runner predict')");
    }
    Graph g = new Graph(float32);
    int f = trained.features();
    switch (trained.name()) {
      case "linear" -> {
        String z = g.affine("x", param(trained, "w"), f, 1, param(trained, "b"), "linear");
        g.flatten(z, "y");
      }
      case "logistic" -> {
        String z = g.affine("x", param(trained, "w"), f, 1, param(trained, "b"), "logistic");
        String one = g.constant("one", 1.0);
        String p1 = g.node("Div", List.of(one, g.node("Add", List.of(one,
            g.node("Exp", List.of(g.node("Neg", List.of(z))))))));
        String p0 = g.node("Sub", List.of(one, p1));
        g.node("Concat", List.of(p0, p1), "probabilities", g.intAttr("axis", 1));
        String half = g.constant("half", 0.5);
        String above = g.node("Greater", List.of(p1, half));
        g.flatten(g.node("Cast", List.of(above), (String) null, g.intAttr("to",
            TensorProto.DataType.INT64_VALUE)), "label");
        g.classifierOutputs(2);
      }
      case "softmax" -> {
        int k = trained.classes();
        String z = g.affine("x", param(trained, "w"), f, k, param(trained, "b"), "softmax");
        g.softmaxOutputs(z, k);
      }
      case "mlp" -> {
        Values w1 = param(trained, "w1");
        Values w2 = param(trained, "w2");
        int h = w1.shape()[1];
        int out = w2.shape()[1];
        String hidden = g.node("Tanh", List.of(
            g.affine("x", w1, f, h, param(trained, "b1"), "layer1")));
        String z = g.affine(hidden, w2, h, out, param(trained, "b2"), "layer2");
        if (trained.classes() == 0) {
          g.flatten(z, "y");
        } else {
          g.softmaxOutputs(z, trained.classes());
        }
      }
      default -> throw new IllegalStateException(trained.name());
    }
    if (trained.classes() == 0) {
      g.output("y", g.elemType(), "N");
    }
    g.graph.setName("tapetrain_" + trained.name())
        .addInput(valueInfo("x", g.elemType(), "N", f));
    return ModelProto.newBuilder()
        .setIrVersion(IR_VERSION)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
        .setProducerName("tapetrain")
        .setProducerVersion(version())
        .setDocString("tapetrain model '" + trained.name() + "' of " + trained.doc()
            + " after step " + trained.step())
        .addMetadataProps(meta("model", trained.name()))
        .addMetadataProps(meta("features", String.join(",", trained.featureColumns())))
        .addMetadataProps(meta("target", trained.targetColumn()))
        .addMetadataProps(meta("step", Long.toString(trained.step())))
        .setGraph(g.graph)
        .build();
  }

  private static Values param(Trained trained, String name) {
    List<Parameter> ps = trained.model().parameters();
    for (int i = 0; i < ps.size(); i++) {
      if (ps.get(i).name().equals(name)) {
        return new Values(name, ps.get(i).shape(), trained.values().get(i));
      }
    }
    throw new IllegalArgumentException("model " + trained.name() + " has no parameter " + name);
  }

  private static StringStringEntryProto meta(String key, String value) {
    return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
  }

  static ValueInfoProto valueInfo(String name, int elemType, Object... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (Object d : dims) {
      TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
      if (d instanceof String s) {
        dim.setDimParam(s);
      } else {
        dim.setDimValue(((Number) d).longValue());
      }
      shape.addDim(dim);
    }
    return ValueInfoProto.newBuilder().setName(name)
        .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
            .setElemType(elemType).setShape(shape)))
        .build();
  }

  private static String version() {
    String v = OnnxExport.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  /** A graph under construction: nodes with generated names, initializers in the chosen type. */
  private static final class Graph {
    final GraphProto.Builder graph = GraphProto.newBuilder();
    final boolean float32;
    int next;

    Graph(boolean float32) {
      this.float32 = float32;
    }

    int elemType() {
      return float32 ? TensorProto.DataType.FLOAT_VALUE : TensorProto.DataType.DOUBLE_VALUE;
    }

    String initializer(String name, long[] dims, double[] values) {
      TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(elemType());
      for (long d : dims) {
        t.addDims(d);
      }
      for (double v : values) {
        if (float32) {
          t.addFloatData((float) v);
        } else {
          t.addDoubleData(v);
        }
      }
      graph.addInitializer(t);
      return name;
    }

    String constant(String name, double value) {
      return initializer(name, new long[0], new double[] {value});
    }

    /** {@code input·w + b} with {@code w} as an {@code [in, out]} matrix, {@code b} as [out]. */
    String affine(String input, Values w, int in, int out, Values b, String prefix) {
      String wName = initializer(prefix + "_" + w.name(), new long[] {in, out}, w.values());
      String bName = initializer(prefix + "_" + b.name(), new long[] {out}, b.values());
      return node("Add", List.of(node("MatMul", List.of(input, wName)), bName));
    }

    /** {@code [N, 1]} to the {@code [N]} output {@code name}. */
    void flatten(String input, String name) {
      TensorProto shape = TensorProto.newBuilder().setName("flat_shape_" + name)
          .setDataType(TensorProto.DataType.INT64_VALUE).addDims(1).addInt64Data(-1).build();
      graph.addInitializer(shape);
      node("Reshape", List.of(input, shape.getName()), name);
    }

    void softmaxOutputs(String logits, int k) {
      String p = node("Softmax", List.of(logits), "probabilities", intAttr("axis", 1));
      node("ArgMax", List.of(p), "label", intAttr("axis", 1), intAttr("keepdims", 0),
          intAttr("select_last_index", 0));
      classifierOutputs(k);
    }

    void classifierOutputs(int k) {
      output("probabilities", elemType(), "N", k);
      output("label", TensorProto.DataType.INT64_VALUE, "N");
    }

    void output(String name, int elemType, Object... dims) {
      graph.addOutput(valueInfo(name, elemType, dims));
    }

    AttributeProto intAttr(String name, long value) {
      return AttributeProto.newBuilder().setName(name).setI(value)
          .setType(AttributeProto.AttributeType.INT).build();
    }

    String node(String op, List<String> inputs, AttributeProto... attributes) {
      return node(op, inputs, null, attributes);
    }

    String node(String op, List<String> inputs, String output, AttributeProto... attributes) {
      String name = op.toLowerCase(java.util.Locale.ROOT) + "_" + next++;
      String out = output != null ? output : name;
      NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(name)
          .addAllInput(inputs).addOutput(out);
      for (AttributeProto a : attributes) {
        n.addAttribute(a);
      }
      graph.addNode(n);
      return out;
    }
  }
}
