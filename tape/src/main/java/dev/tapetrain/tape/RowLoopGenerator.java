package dev.tapetrain.tape;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a {@link Trace} of a function of per-sample matrices and parameters of any shape into
 * the Java source of one loop over samples: the compiler of matrix programs (a dense layer, tanh,
 * a log-sum-exp, their backward rules), where {@link LoopGenerator} takes vectors and scalars.
 *
 * <p>Every traced value is one of: a <em>row</em> (one value per sample, of {@code w} elements:
 * a sample input, or an op on rows: a sample's row lives in a local or a scratch array while
 * the sample is in registers), a <em>fixed</em> value (a parameter, read in place from the
 * flattened parameters, or a scalar constant), or a <em>total</em> (a sum over the samples,
 * known after the loop: a {@code sum}, a {@code colSum}, a weight gradient {@code aᵀ·g}).
 *
 * <p>Each result has the eager op's bits: elementwise ops call the {@link Arithmetic} method
 * their eager loop calls; a product's element starts at {@code 0.0} and adds its products in
 * order of the inner index as {@code MatrixOps}' product does ({@code A · B}, each rounded);
 * totals over samples add sample after sample from {@code 0.0}, as {@code colSum} and the
 * transposed-left product do; a {@code sum} adds in {@link Kernels#sum}'s four lanes, counted
 * from the first sample of the range. Anything else is refused with a
 * {@link NotCompilableException} naming the op.
 */
final class RowLoopGenerator {

  /** Where a value lives. */
  enum Place { ROW, FIXED, TOTAL }

  /**
   * A traced value. {@code width}: a row's elements per sample, or a fixed or total value's
   * size. {@code scalar}: held in a local named {@code name} (one element, or a value repeated
   * across a row); else element {@code e} is {@code name[e]}, or {@code s[offset + e]} for a
   * parameter ({@code offset ≥ 0}).
   */
  record Value(Place place, int width, String name, boolean scalar, int offset) {
    String at(String e) {
      if (scalar) {
        return name;
      }
      return offset >= 0 ? "s[" + offset + " + " + e + "]" : name + "[" + e + "]";
    }
  }

  private final Map<Tensor, Value> values = new IdentityHashMap<>();
  private final StringBuilder fixed = new StringBuilder();
  private final StringBuilder gather = new StringBuilder();
  private final StringBuilder body = new StringBuilder();
  private final StringBuilder after = new StringBuilder();
  /** Four-lane sums of rows of one element: name and element expression. */
  private final List<String[]> laneSums = new ArrayList<>();
  private int constants;
  /** Writes each op's code into the sections above. */
  private final RowOps ops;

  private RowLoopGenerator(int length) {
    this.ops = new RowOps(length, fixed, body, after, laneSums);
  }

  /**
   * The source of a class named {@link LoopGenerator#CLASS_NAME} implementing
   * {@link CompiledFunction.Kernel}: {@code v} holds the sample inputs' columns (input {@code k}
   * of width {@code w} reads {@code max(1, w)} consecutive arrays), {@code s} the parameters
   * flattened row-major in order, {@code out} the outputs flattened in order.
   *
   * @param samples the sample inputs as passed to the function ({@code [n]} or {@code [n, w]})
   * @param params  the parameter inputs as passed to it
   * @param outputs what it returned
   */
  static String generate(Trace trace, Tensor[] samples, Tensor[] params, Tensor[] outputs)
      throws NotCompilableException {
    RowLoopGenerator g = new RowLoopGenerator(samples[0].shapeRef()[0]);
    int column = 0;
    for (int k = 0; k < samples.length; k++) {
      Tensor t = samples[k];
      int w = t.rank() == 1 ? 1 : t.shapeRef()[1];
      String name = "x" + k;
      if (w == 1) {
        g.gather.append("        final double ").append(name).append(" = v").append(column)
            .append("[j];\n");
      } else {
        g.fixed.append("    final double[] ").append(name).append(" = new double[").append(w)
            .append("];\n");
        for (int c = 0; c < w; c++) {
          g.gather.append("        ").append(name).append('[').append(c).append("] = v")
              .append(column + c).append("[j];\n");
        }
      }
      g.values.put(t, new Value(Place.ROW, w, name, w == 1, -1));
      column += w;
    }
    int offset = 0;
    for (int k = 0; k < params.length; k++) {
      Tensor t = params[k];
      if (t.rank() == 0) {
        g.fixed.append("    final double p").append(k).append(" = s[").append(offset)
            .append("];\n");
        g.values.put(t, new Value(Place.FIXED, 1, "p" + k, true, -1));
      } else {
        g.values.put(t, new Value(Place.FIXED, t.size(), "p" + k, false, offset));
      }
      offset += t.size();
    }
    List<Trace.Op> ops = LoopGenerator.liveOps(trace.ops(), outputs);
    for (int id = 0; id < ops.size(); id++) {
      g.emit("t" + id, ops.get(id), trace);
    }
    StringBuilder outs = new StringBuilder();
    int at = 0;
    for (int k = 0; k < outputs.length; k++) {
      Value v = g.value(outputs[k], trace);
      if (v.place() == Place.ROW) {
        throw new NotCompilableException("output " + k + " has a value per sample; outputs are"
            + " sums over the samples or fixed values");
      }
      if (v.scalar()) {
        outs.append("    out[at + ").append(at).append("] = ").append(v.name()).append(";\n");
      } else {
        outs.append("    for (int e = 0; e < ").append(v.width()).append("; e++) out[at + ")
            .append(at).append(" + e] = ").append(v.at("e")).append(";\n");
      }
      at += v.width();
    }
    return g.source(column, outs.toString());
  }

  /** The value of {@code t}: traced already, or a scalar constant. */
  private Value value(Tensor t, Trace trace) throws NotCompilableException {
    Value v = values.get(t);
    if (v != null) {
      return v;
    }
    if (trace.isVariableValue(t)) {
      throw new NotCompilableException("the function reads a Variable; pass its value as a"
          + " parameter instead");
    }
    if (t.rank() != 0) {
      throw new NotCompilableException("the function uses a tensor of shape "
          + Arrays.toString(t.shapeRef()) + " it did not take as an input (a constant made"
          + " from the data?)");
    }
    String name = "k" + constants++;
    fixed.append("    final double ").append(name).append(" = Double.longBitsToDouble(0x")
        .append(Long.toHexString(Double.doubleToRawLongBits(t.data[0]))).append("L); // ")
        .append(t.data[0]).append('\n');
    v = new Value(Place.FIXED, 1, name, true, -1);
    values.put(t, v);
    return v;
  }

  private void emit(String name, Trace.Op op, Trace trace) throws NotCompilableException {
    if (values.containsKey(op.output())) {
      return; // an op that returned one of its inputs
    }
    Value[] in = new Value[op.inputs().length];
    for (int k = 0; k < in.length; k++) {
      in[k] = value(op.inputs()[k], trace);
    }
    Tensor out = op.output();
    Value result = switch (op.kind()) {
      case SUM -> ops.sum(name, op, in[0]);
      case BROADCAST_TO -> ops.broadcast(op, in[0], out);
      case COLUMN -> in[0].place() == Place.ROW ? in[0] : null;
      case OTHER -> ops.other(name, op, in, out);
      default -> ops.elementwise(name, op, in, out);
    };
    if (result == null) {
      throw refused(op, in);
    }
    values.put(out, result);
  }

  private static NotCompilableException refused(Trace.Op op, Value[] in) {
    StringBuilder b = new StringBuilder("op ").append(op.name()).append(" of ");
    for (int k = 0; k < in.length; k++) {
      b.append(k > 0 ? ", " : "").append(in[k].place().name().toLowerCase())
          .append(Arrays.toString(op.inputs()[k].shapeRef()));
    }
    return new NotCompilableException(b.append(" is not compiled (rows, fixed values and sums"
        + " over samples of dense layers, elementwise ops and row reductions are)").toString());
  }

  /** An array the ops declare in {@code fixed}, one per call until the scratch below. */
  private static final Pattern ARRAY =
      Pattern.compile("    final double\\[\\] (\\w+) = new double\\[(\\d+)\\];\n");

  private String source(int columns, String outs) {
    // The loop's arrays (rows of more than one element, the lanes of its sums) live in scratch
    // of the calling thread's own, made on its first call and cleared on every call as new
    // arrays would be: nothing is allocated per call (a worker calls once per chunk every
    // round), and threads that share the loop never share an array.
    List<String[]> arrays = new ArrayList<>();
    Matcher m = ARRAY.matcher(fixed);
    StringBuilder declarations = new StringBuilder();
    while (m.find()) {
      arrays.add(new String[] {m.group(1), m.group(2)});
      m.appendReplacement(declarations, "    final double[] $1 = sc.$1;\n"
          + "    java.util.Arrays.fill($1, 0.0);\n");
    }
    m.appendTail(declarations);
    for (String[] sum : laneSums) {
      arrays.add(new String[] {sum[0] + "_l", "4"});
      declarations.append("    final double[] ").append(sum[0]).append("_l = sc.")
          .append(sum[0]).append("_l;\n    java.util.Arrays.fill(").append(sum[0])
          .append("_l, 0.0);\n");
    }
    StringBuilder s = new StringBuilder();
    s.append("public final class ").append(LoopGenerator.CLASS_NAME)
        .append(" implements dev.tapetrain.tape.CompiledFunction.Kernel {\n");
    if (!arrays.isEmpty()) {
      s.append("  private static final class Scratch {\n");
      for (String[] a : arrays) {
        s.append("    final double[] ").append(a[0]).append(" = new double[").append(a[1])
            .append("];\n");
      }
      s.append("  }\n  private final ThreadLocal scratch = new ThreadLocal();\n");
    }
    s.append("  public void run(double[][] v, int from, int to, double[] s, double[] out,"
        + " int at) {\n");
    for (int k = 0; k < columns; k++) {
      s.append("    final double[] v").append(k).append(" = v[").append(k).append("];\n");
    }
    if (!arrays.isEmpty()) {
      s.append("    Scratch sc = (Scratch) scratch.get();\n    if (sc == null) {\n")
          .append("      sc = new Scratch();\n      scratch.set(sc);\n    }\n");
    }
    s.append(declarations);
    // Kernels.sum's four lanes over the first 4·⌊n/4⌋ samples, then the rest in order.
    s.append("    final int end4 = from + ((to - from) & ~3);\n    int j = from;\n")
        .append("    for (; j < end4; j++) {\n").append(gather).append(body);
    for (String[] sum : laneSums) {
      s.append("        ").append(sum[0]).append("_l[(j - from) & 3] += ").append(sum[1])
          .append(";\n");
    }
    s.append("    }\n");
    for (String[] sum : laneSums) {
      String n = sum[0];
      s.append("    double ").append(n).append(" = (").append(n).append("_l[0] + ").append(n)
          .append("_l[1]) + (").append(n).append("_l[2] + ").append(n).append("_l[3]);\n");
    }
    s.append("    for (; j < to; j++) {\n").append(gather).append(body);
    for (String[] sum : laneSums) {
      s.append("        ").append(sum[0]).append(" += ").append(sum[1]).append(";\n");
    }
    s.append("    }\n").append(after).append(outs).append("  }\n}\n");
    return s.toString();
  }
}
