package dev.tapetrain.models.onnx;

import dev.tapetrain.models.Model;
import dev.tapetrain.models.Parameter;
import dev.tapetrain.models.onnx.proto.ModelProto;
import dev.tapetrain.models.onnx.proto.OperatorSetIdProto;
import dev.tapetrain.models.onnx.proto.StringStringEntryProto;
import dev.tapetrain.models.onnx.proto.TensorProto;
import dev.tapetrain.spi.UserError;
import java.util.Arrays;
import java.util.List;

/**
 * Writes a trained model, built-in or a user's own, as an ONNX graph (opset 13, IR version 7):
 * the program its {@link Model#predict} runs on the tape, traced ({@link PredictionTrace}) and
 * translated op by op ({@link OnnxOps}), then the scoring every tool applies to a prediction:
 * <table>
 *   <caption>outputs</caption>
 *   <tr><th>model</th><th>prediction</th><th>outputs</th></tr>
 *   <tr><td>regression</td><td>{@code [N]}</td><td>{@code y [N]}</td></tr>
 *   <tr><td>binary classifier</td><td>{@code p [N]}, class 1</td>
 *       <td>{@code probabilities [N, 2]} = {@code [1 − p, p]}, {@code label [N]} =
 *       {@code p > 0.5}</td></tr>
 *   <tr><td>K classes</td><td>{@code [N, K]}</td>
 *       <td>{@code probabilities [N, K]}, {@code label [N]} = argmax (first on ties)</td></tr>
 * </table>
 * The input is {@code x [N, f]} in the order of the run's feature columns (recorded in the
 * model's metadata, {@code features}); parameters are initializers under their own names.
 * Labels are int64; everything else is float64 or, when asked, float32 (the parameters and
 * constants rounded once). A prediction that uses an op with no ONNX counterpart, or that a
 * graph cannot hold, is refused with a {@link UserError} that says which.
 */
public final class OnnxExport {

  /** The ONNX operator set the graphs use (Unsqueeze's and ReduceSum's axes inputs need 13). */
  public static final int OPSET = 13;
  /** The IR version that goes with {@link #OPSET}. */
  public static final int IR_VERSION = 7;

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
  }

  /**
   * The ONNX model of {@code trained}.
   *
   * @param float32 write float32 tensors (else float64)
   * @throws UserError if the model's prediction cannot be written as ONNX (the message names the
   *                   op or what the prediction does that a graph cannot hold)
   */
  public static ModelProto export(Trained trained, boolean float32) {
    String name = trained.name();
    Model model = trained.model();
    int f = trained.featureColumns().size();
    List<Parameter> layout = model.parameters();
    PredictionTrace trace = PredictionTrace.of(name, model, trained.values(), f);
    OnnxGraph g = new OnnxGraph(float32);
    g.input(OnnxGraph.INPUT, g.elemType(), "N", f);
    String prediction = OnnxOps.translate(name, g, trace,
        layout.stream().map(Parameter::name).toList(),
        layout.stream().map(Parameter::shape).toList(), trained.values());
    outputs(g, name, model.classes(), prediction, trace.outputShape());
    g.graph.setName("tapetrain_" + name);
    return ModelProto.newBuilder()
        .setIrVersion(IR_VERSION)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
        .setProducerName("tapetrain")
        .setProducerVersion(version())
        .setDocString("tapetrain model '" + name + "' of " + trained.doc()
            + " after step " + trained.step())
        .addMetadataProps(meta("model", name))
        .addMetadataProps(meta("features", String.join(",", trained.featureColumns())))
        .addMetadataProps(meta("target", trained.targetColumn()))
        .addMetadataProps(meta("step", Long.toString(trained.step())))
        .setGraph(g.graph)
        .build();
  }

  /** The graph's outputs from the prediction {@code p}, read as {@link Model#classes()} says. */
  private static void outputs(OnnxGraph g, String name, int classes, String p, long[] shape) {
    long n = OnnxGraph.N;
    int label = TensorProto.DataType.INT64_VALUE;
    if (classes == 0 && Arrays.equals(shape, new long[] {n})) {
      g.node("Identity", List.of(p), "y");
      g.output("y", g.elemType(), "N");
    } else if (classes == 2 && Arrays.equals(shape, new long[] {n})) {
      String one = g.scalar(1.0);
      String axis = g.int64s(1);
      g.node("Concat", List.of(
          g.node("Unsqueeze", List.of(g.node("Sub", List.of(one, p)), axis)),
          g.node("Unsqueeze", List.of(p, axis))), "probabilities", OnnxGraph.intAttr("axis", 1));
      g.node("Cast", List.of(g.node("Greater", List.of(p, g.scalar(0.5)))), "label",
          OnnxGraph.intAttr("to", label));
      g.output("probabilities", g.elemType(), "N", 2);
      g.output("label", label, "N");
    } else if (classes >= 2 && Arrays.equals(shape, new long[] {n, classes})) {
      g.node("Identity", List.of(p), "probabilities");
      g.node("ArgMax", List.of(p), "label", OnnxGraph.intAttr("axis", 1),
          OnnxGraph.intAttr("keepdims", 0), OnnxGraph.intAttr("select_last_index", 0));
      g.output("probabilities", g.elemType(), "N", classes);
      g.output("label", label, "N");
    } else {
      String expected = classes == 0 ? "[N] (a regression)" : classes == 2
          ? "[N] or [N, 2] (a binary classifier)" : "[N, " + classes + "] (" + classes
          + " classes)";
      throw PredictionTrace.refused(name, "its prediction has shape " + describe(shape)
          + ", not " + expected);
    }
  }

  private static String describe(long[] shape) {
    StringBuilder b = new StringBuilder("[");
    for (int d = 0; d < shape.length; d++) {
      b.append(d > 0 ? ", " : "").append(shape[d] == OnnxGraph.N ? "N" : shape[d]);
    }
    return b.append(']').toString();
  }

  private static StringStringEntryProto meta(String key, String value) {
    return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
  }

  private static String version() {
    String v = OnnxExport.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
