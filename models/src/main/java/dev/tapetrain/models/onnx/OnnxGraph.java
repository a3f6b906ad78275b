package dev.tapetrain.models.onnx;

import dev.tapetrain.models.onnx.proto.AttributeProto;
import dev.tapetrain.models.onnx.proto.GraphProto;
import dev.tapetrain.models.onnx.proto.NodeProto;
import dev.tapetrain.models.onnx.proto.TensorProto;
import dev.tapetrain.models.onnx.proto.TensorShapeProto;
import dev.tapetrain.models.onnx.proto.TypeProto;
import dev.tapetrain.models.onnx.proto.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * An ONNX graph under construction: nodes with generated names, initializers in the chosen
 * element type (float64, or float32 rounded once), int64 helper tensors, and the batch size
 * {@code N} of the input {@code x} when a shape needs it at run time.
 */
final class OnnxGraph {

  /** The name of the graph's input. */
  static final String INPUT = "x";

  /** A dimension of {@link SymbolicShapes}: the number of rows of {@code x}. */
  static final long N = -1;

  final GraphProto.Builder graph = GraphProto.newBuilder();
  // Every name in the graph, so a parameter named like the input, an output or a generated
  // name (a user may call one "x" or "mul_3") never makes two tensors of one name.
  private final Set<String> taken = new HashSet<>(List.of(INPUT, "y", "probabilities", "label"));
  private final boolean float32;
  private int next;
  private String batch;

  OnnxGraph(boolean float32) {
    this.float32 = float32;
  }

  int elemType() {
    return float32 ? TensorProto.DataType.FLOAT_VALUE : TensorProto.DataType.DOUBLE_VALUE;
  }

  /**
   * {@code wanted}, or if the graph has that name already, {@code wanted_1}, {@code wanted_2} …:
   * a name no other tensor of the graph has.
   */
  String reserve(String wanted) {
    String name = wanted;
    for (int i = 1; !taken.add(name); i++) {
      name = wanted + "_" + i;
    }
    return name;
  }

  private String fresh(String prefix) {
    return reserve(prefix + "_" + next++);
  }

  /** A tensor of the chosen element type with a fresh name from {@code prefix}. */
  String initializer(String prefix, int[] shape, double[] values) {
    return namedInitializer(fresh(prefix), shape, values);
  }

  /** A tensor of the chosen element type named {@code name}, {@linkplain #reserve reserved}. */
  String namedInitializer(String name, int[] shape, double[] values) {
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(elemType());
    for (int d : shape) {
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

  /** A scalar of the chosen element type. */
  String scalar(double value) {
    return initializer("const", new int[0], new double[] {value});
  }

  /** An int64 vector (axes, shapes). */
  String int64s(long... values) {
    TensorProto.Builder t = TensorProto.newBuilder().setName(fresh("int64"))
        .setDataType(TensorProto.DataType.INT64_VALUE).addDims(values.length);
    for (long v : values) {
      t.addInt64Data(v);
    }
    graph.addInitializer(t);
    return t.getName();
  }

  /**
   * The shape {@code dims} as an int64 vector for {@code Expand}: a constant, or with
   * {@link #N} where the number of rows of {@code x} goes, computed from {@code x} at run time.
   */
  String shape(long[] dims) {
    boolean symbolic = false;
    for (long d : dims) {
      symbolic |= d == N;
    }
    if (!symbolic) {
      return int64s(dims);
    }
    List<String> parts = new ArrayList<>();
    for (long d : dims) {
      parts.add(d == N ? batch() : int64s(d));
    }
    return node("Concat", parts, intAttr("axis", 0));
  }

  /** {@code [N]}, an int64 vector: the number of rows of {@code x}, made once. */
  private String batch() {
    if (batch == null) {
      batch = node("Slice", List.of(node("Shape", List.of(INPUT)), int64s(0), int64s(1)));
    }
    return batch;
  }

  void output(String name, int elemType, Object... dims) {
    graph.addOutput(valueInfo(name, elemType, dims));
  }

  void input(String name, int elemType, Object... dims) {
    graph.addInput(valueInfo(name, elemType, dims));
  }

  static AttributeProto intAttr(String name, long value) {
    return AttributeProto.newBuilder().setName(name).setI(value)
        .setType(AttributeProto.AttributeType.INT).build();
  }

  static AttributeProto stringAttr(String name, String value) {
    return AttributeProto.newBuilder().setName(name)
        .setS(com.google.protobuf.ByteString.copyFromUtf8(value))
        .setType(AttributeProto.AttributeType.STRING).build();
  }

  static AttributeProto intsAttr(String name, long... values) {
    AttributeProto.Builder a = AttributeProto.newBuilder().setName(name)
        .setType(AttributeProto.AttributeType.INTS);
    for (long v : values) {
      a.addInts(v);
    }
    return a.build();
  }

  /** A node with a fresh output name; returns it. */
  String node(String op, List<String> inputs, AttributeProto... attributes) {
    return node(op, inputs, null, attributes);
  }

  /** A node whose output is {@code output} (or a fresh name if null); returns it. */
  String node(String op, List<String> inputs, String output, AttributeProto... attributes) {
    String name = fresh(op.toLowerCase(Locale.ROOT));
    String out = output != null ? output : name;
    NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(name)
        .addAllInput(inputs).addOutput(out);
    for (AttributeProto a : attributes) {
      n.addAttribute(a);
    }
    graph.addNode(n);
    return out;
  }

  /** A tensor's name, type and shape; a {@code String} dimension is symbolic. */
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
}
