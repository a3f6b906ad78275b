package dev.tapetrain.tape;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The program a function ran, as the tape's ops recorded it: for translating it into another
 * format (an ONNX graph) rather than compiling it ({@link CompiledFunction} does that).
 * <pre>{@code
 * TracedProgram p = TracedProgram.trace(in -> Ops.add(Ops.matvec(in[0], in[1]), in[2]), x, w, b);
 * for (TracedProgram.Op op : p.ops()) { … op.name(), op.inputs(), op.shape() … }
 * }</pre>
 * {@link #trace} runs the function once, eagerly, on the given inputs and keeps the ops its result
 * depends on, in the order they ran. Every value an op reads is an {@link Input} (one of the
 * tensors passed, told apart by identity), the {@link Result} of an earlier op, or a
 * {@link Constant}: a tensor made outside the ops (a {@code Tensor.scalar(1.0)}, a
 * {@link Variable}'s value), copied as it was. A trace shows one run: a function that branches
 * on its inputs' values or sizes, or makes constants from them, shows what it did for these
 * inputs; compare traces of different inputs to tell.
 *
 * <p>An op's {@link Op#name} is the {@link Ops} or {@link MatrixOps} method that recorded it
 * ({@code add}, {@code mulAdd}, {@code matvec}, {@code dense}, {@code rowSum},
 * {@code repeatColumns}, …); besides those, backward rules record {@code twiceDifferenceTimes},
 * {@code tanhBackward}, {@code matmulTransposedLeft} and {@code matmulTransposedRight}, and ops
 * that no tape differentiates through are traced all the same: {@code rowMax},
 * {@code rowArgmax}, {@code oneHot}, the {@link Comparisons} ({@code equal}, {@code greater},
 * {@code greaterEqual}) and {@code constant} (a Java function of each element).
 */
public final class TracedProgram {

  /** A value an op reads. */
  public sealed interface Value permits Input, Result, Constant {}

  /** Input {@code index} of the traced function. */
  public record Input(int index) implements Value {}

  /** The result of op {@code op} (an index into {@link #ops()}). */
  public record Result(int op) implements Value {}

  /** A tensor made outside the ops: its shape and row-major values, copies. */
  public record Constant(int[] shape, double[] values) implements Value {
    /** Copies the arrays. */
    public Constant {
      shape = shape.clone();
      values = values.clone();
    }

    @Override
    public int[] shape() {
      return shape.clone();
    }

    @Override
    public double[] values() {
      return values.clone();
    }

    @Override
    public String toString() {
      return "Constant" + Arrays.toString(shape)
          + (values.length <= 4 ? Arrays.toString(values) : "");
    }
  }

  /**
   * One op: the name of its method, its parameter (the exponent of {@code pow}, else 0), what it
   * read and the shape of what it gave (for this trace's inputs).
   */
  public record Op(String name, double param, List<Value> inputs, int[] shape) {
    /** Copies the list and the shape. */
    public Op {
      inputs = List.copyOf(inputs);
      shape = shape.clone();
    }

    @Override
    public int[] shape() {
      return shape.clone();
    }
  }

  private final List<Op> ops;
  private final Value output;
  private final List<int[]> inputShapes;
  private final int[] outputShape;

  private TracedProgram(List<Op> ops, Value output, List<int[]> inputShapes,
      int[] outputShape) {
    this.ops = List.copyOf(ops);
    this.output = output;
    this.inputShapes = inputShapes;
    this.outputShape = outputShape;
  }

  /**
   * Runs {@code body} on {@code inputs} and records the ops its result depends on.
   *
   * @throws NullPointerException if {@code body} returns null
   */
  public static TracedProgram trace(Function<Tensor[], Tensor> body, Tensor... inputs) {
    Tensor[] in = inputs.clone();
    List<Trace.Op> all;
    Tensor result;
    try (Trace trace = Trace.open()) {
      result = body.apply(in.clone());
      all = trace.ops();
    }
    Objects.requireNonNull(result, "the traced function returned null");
    Map<Tensor, Value> values = new IdentityHashMap<>();
    for (int k = in.length - 1; k >= 0; k--) {
      values.put(in[k], new Input(k));
    }
    List<Op> ops = new ArrayList<>();
    for (Trace.Op op : live(all, result)) {
      if (values.containsKey(op.output())) {
        continue; // an op that gave back one of its inputs
      }
      List<Value> reads = new ArrayList<>(op.inputs().length);
      for (Tensor t : op.inputs()) {
        reads.add(values.computeIfAbsent(t, c -> new Constant(c.shapeRef(), c.data)));
      }
      Tensor out = op.output();
      values.put(out, new Result(ops.size()));
      ops.add(new Op(publicName(op), op.param(), reads, out.shapeRef()));
    }
    Value output = values.computeIfAbsent(result, c -> new Constant(c.shapeRef(), c.data));
    List<int[]> shapes = new ArrayList<>();
    for (Tensor t : in) {
      shapes.add(t.shape());
    }
    return new TracedProgram(ops, output, List.copyOf(shapes), result.shape());
  }

  /** The ops the result depends on, in the order they ran. */
  public List<Op> ops() {
    return ops;
  }

  /** The function's result. */
  public Value output() {
    return output;
  }

  /** The shape of any value of this program. */
  public int[] shape(Value value) {
    if (value instanceof Input i) {
      return inputShapes.get(i.index()).clone();
    }
    if (value instanceof Result r) {
      return ops.get(r.op()).shape();
    }
    return ((Constant) value).shape();
  }

  /** The shape of the function's result. */
  public int[] outputShape() {
    return outputShape.clone();
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < ops.size(); i++) {
      Op op = ops.get(i);
      b.append('%').append(i).append(" = ").append(op.name()).append(op.inputs())
          .append(" -> ").append(Arrays.toString(op.shape())).append('\n');
    }
    return b.append("output ").append(output).toString();
  }

  private static String publicName(Trace.Op op) {
    return switch (op.kind()) {
      case ROW_SUM_OF_ONE -> "rowSum";
      case COLUMN -> "repeatColumns";
      default -> op.name();
    };
  }

  private static List<Trace.Op> live(List<Trace.Op> ops, Tensor result) {
    return LoopGenerator.liveOps(ops, new Tensor[] {result});
  }
}
