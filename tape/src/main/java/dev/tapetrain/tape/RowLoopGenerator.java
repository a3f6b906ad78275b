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
  /** Each emitted op's value by what it computed: its kind, name, parameter, inputs, shape. */
  private final Map<List<Object>, Value> emitted = new java.util.HashMap<>();
  private final StringBuilder fixed = new StringBuilder();
  private final StringBuilder body = new StringBuilder();
  private final StringBuilder after = new StringBuilder();
  /** Four-lane sums of rows of one element: name and element expression. */
  private final List<String[]> laneSums = new ArrayList<>();
  /** The reads of the sample inputs, per sample and per block. */
  private final RowGather gather;
  private int constants;
  /** Writes each op's code into the sections above. */
  private final RowOps ops;
  /** The products computed a block of samples at a time. */
  private final BlockProducts blocks;

  /** Samples a block holds: see {@link #gatherMethod}. */
  private final int block;

  private RowLoopGenerator(int length, int block, Map<Value, Integer> inputColumns) {
    this.block = block;
    this.gather = new RowGather(block);
    this.blocks = new BlockProducts(block, inputColumns);
    this.ops = new RowOps(length, fixed, body, after, laneSums, block, blocks);
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
    Map<Value, Integer> inputColumns = new java.util.HashMap<>();
    int column = 0;
    for (int k = 0; k < samples.length; k++) {
      int w = samples[k].rank() == 1 ? 1 : samples[k].shapeRef()[1];
      inputColumns.put(new Value(Place.ROW, w, "x" + k, w == 1, -1), column);
      column += w;
    }
    RowLoopGenerator g = new RowLoopGenerator(samples[0].shapeRef()[0], BLOCK,
        inputColumns);
    for (Map.Entry<Value, Integer> in : inputColumns.entrySet()) {
      int k = Integer.parseInt(in.getKey().name().substring(1));
      g.values.put(samples[k], in.getKey());
      g.gather.input(k, in.getValue(), in.getKey().scalar() ? 0 : in.getKey().width());
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
    return g.source(outs.toString());
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
    // An op already emitted on the same values gives the same bits: reuse it (a metric that
    // computes the logits again, next to the loss, costs no second product per sample).
    List<Object> key = List.of(op.kind(), op.name(), Double.doubleToRawLongBits(op.param()),
        List.of(in), List.of(Arrays.stream(out.shapeRef()).boxed().toArray()));
    Value same = emitted.get(key);
    if (same != null) {
      values.put(out, same);
      return;
    }
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
    emitted.put(key, result);
  }

  private static NotCompilableException refused(Trace.Op op, Value[] in) {
    StringBuilder b = new StringBuilder("op ").append(op.name()).append(" of ");
    for (int k = 0; k < in.length; k++) {
      b.append(k > 0 ? ", " : "").append(in[k].place().name().toLowerCase())
          .append(Arrays.toString(op.inputs()[k].shapeRef()));
    }
    if (op.name().equals("constant")) {
      return new NotCompilableException(b.append(" is not compiled: Ops.constant's Java function"
          + " cannot be looked into (a mask made with Comparisons or Ops.sign compiles)")
          .toString());
    }
    return new NotCompilableException(b.append(" is not compiled (rows, fixed values and sums"
        + " over samples of dense layers, elementwise ops and row reductions are)").toString());
  }

  /** A row's or total's array the ops declare in {@code fixed}: {@code new double[<length>]}. */
  private static final Pattern ARRAY =
      Pattern.compile("    final double\\[\\] (\\w+) = new double\\[(\\d+)\\];");

  /** Any other declaration in {@code fixed}: {@code final <type> <name> = <expression>;}. */
  private static final Pattern DECLARATION =
      Pattern.compile("    final (double(?:\\[\\])?) (\\w+) = (.*;(?: //.*)?)");

  /**
   * The class: {@code run} takes the calling thread's own {@code Frame} (made on its first call,
   * kept in a {@code ThreadLocal}: the kernel is shared by threads), whose fields are the fixed
   * values, the rows' and lane sums' arrays and the totals; the frame's {@code run} resets them
   * (arrays cleared as new arrays would be, fixed values assigned again), loops over the samples
   * and calls {@code sample(j)}, which gathers sample {@code j}'s row and runs the ops on it.
   * Nothing is allocated per call (a worker calls once per chunk every round), and threads that
   * share the loop never share a frame. The per-sample code is written once, in a method of its
   * own: HotSpot compiles a method called once per sample by its invocations within a few
   * thousand samples, where one method holding the whole loop (twice: the four lanes and the
   * tail) ran interpreted and as tier-3 code for seconds while C2 compiled one on-stack
   * replacement per inner loop (a 50 × 10 softmax's first compiled steps were 4–7 × slower than
   * the eager tape's).
   */
  private String source(String outs) {
    StringBuilder fields = new StringBuilder("    double[][] v;\n    double[] s;\n");
    StringBuilder perSample = new StringBuilder(body);
    laneSums.forEach(sum -> perSample.append(sum[1]).append('\n'));
    gather.plan(perSample, fields);
    StringBuilder init = new StringBuilder("      this.v = v;\n      this.s = s;\n");
    for (String line : fixed.toString().split("\n")) {
      if (line.isEmpty()) {
        continue;
      }
      Matcher a = ARRAY.matcher(line);
      Matcher m = DECLARATION.matcher(line);
      if (a.matches()) {
        fields.append("    final double[] ").append(a.group(1)).append(" = new double[")
            .append(a.group(2)).append("];\n");
        init.append("      java.util.Arrays.fill(").append(a.group(1)).append(", 0.0);\n");
      } else if (m.matches()) {
        fields.append("    ").append(m.group(1)).append(' ').append(m.group(2)).append(";\n");
        init.append("      ").append(m.group(2)).append(" = ").append(m.group(3)).append('\n');
      } else {
        init.append("  ").append(line).append('\n');
      }
    }
    for (String[] sum : laneSums) {
      fields.append("    final double[] ").append(sum[0]).append("_l = new double[4];\n");
      init.append("      java.util.Arrays.fill(").append(sum[0]).append("_l, 0.0);\n");
    }
    for (String[] sum : laneSums) {
      fields.append("    double ").append(sum[0]).append("_e;\n");
    }
    fields.append(gather.buffers()).append(ops.buffers()).append(blocks.fields());
    String next = "";
    if (blocked()) {
      fields.append("    int gFrom;\n    int gTo;\n");
      init.append("      gFrom = from;\n      gTo = from;\n");
      next = "        if (j >= gTo) gather(j, Math.min(j + " + block + ", to));\n";
    }
    StringBuilder s = new StringBuilder();
    s.append("public final class ").append(LoopGenerator.CLASS_NAME)
        .append(" implements dev.tapetrain.tape.CompiledFunction.Kernel {\n")
        .append("  private final ThreadLocal frames = new ThreadLocal();\n\n")
        .append("  public void run(double[][] v, int from, int to, double[] s, double[] out,"
            + " int at) {\n")
        .append("    Frame f = (Frame) frames.get();\n    if (f == null) {\n")
        .append("      f = new Frame();\n      frames.set(f);\n    }\n")
        .append("    f.run(v, from, to, s, out, at);\n  }\n\n")
        .append("  static final class Frame {\n").append(fields)
        .append("\n    void run(double[][] v, int from, int to, double[] s, double[] out,"
            + " int at) {\n").append(init);
    // Kernels.sum's four lanes over the first 4·⌊n/4⌋ samples, then the rest in order.
    s.append("      final int end4 = from + ((to - from) & ~3);\n      int j = from;\n")
        .append("      for (; j < end4; j++) {\n").append(next).append("        sample(j);\n");
    for (String[] sum : laneSums) {
      s.append("        ").append(sum[0]).append("_l[(j - from) & 3] += ").append(sum[0])
          .append("_e;\n");
    }
    s.append("      }\n");
    for (String[] sum : laneSums) {
      String n = sum[0];
      s.append("      double ").append(n).append(" = (").append(n).append("_l[0] + ").append(n)
          .append("_l[1]) + (").append(n).append("_l[2] + ").append(n).append("_l[3]);\n");
    }
    s.append("      for (; j < to; j++) {\n").append(next).append("        sample(j);\n");
    for (String[] sum : laneSums) {
      s.append("        ").append(sum[0]).append(" += ").append(sum[0]).append("_e;\n");
    }
    // The frame outlives the call: it must not keep the caller's columns and parameters alive.
    s.append("      }\n").append(ops.flush().isEmpty() ? "" : "      flush();\n")
        .append(indent(after)).append(indent(outs))
        .append("      this.v = null;\n      this.s = null;\n    }\n\n").append(gatherMethod())
        .append("    void sample(int j) {\n").append(outdent(gather.reads())).append(outdent(body));
    for (String[] sum : laneSums) {
      s.append("      ").append(sum[0]).append("_e = ").append(sum[1]).append(";\n");
    }
    s.append("    }\n  }\n}\n");
    return s.toString();
  }

  /**
   * Samples a block holds: 128. A block product's loops over the block's samples run in vector
   * instructions only past a few dozen samples (C2's loops before and after the vector loop are
   * scalar): a 50 × 10 product alone took 12.8 ms per 100 000 samples in blocks of 64, 9.8 in
   * blocks of 128, 8.3 in blocks of 256. But the block's copies (its columns of the inputs, the
   * products' columns, the weight gradients' rows) grow with it: with 256 the MLP 10–32–1's pass
   * was 7 % slower than before the block products (its 32-wide rows left the L1 cache), with 128
   * it is as fast, and the softmax's gain the same (CompiledModelBenchmark, 2026-12-07).
   */
  private static final int BLOCK = 128;

  /**
   * The frame's {@code gather(from, to)} and {@code flush()}, if it has blocks. {@code gather}
   * first flushes the block before, then copies the wide inputs of the block's samples into
   * their buffers ({@link RowGather#copies}; a sample's reads take its row from there), then
   * computes the block's products of sample inputs ({@link BlockProducts}). {@code flush} adds
   * the block's weight gradients ({@link RowOps}' outer totals). Copies and the same additions
   * in the same order: every bit is the same.
   */
  private String gatherMethod() {
    if (!blocked()) {
      return "";
    }
    StringBuilder m = new StringBuilder("    void gather(int from, int to) {\n");
    if (!ops.flush().isEmpty()) {
      m.append("      flush();\n");
    }
    m.append("      gFrom = from;\n      gTo = to;\n      final int n = to - from;\n")
        .append(gather.copies()).append(blocks.code()).append("    }\n\n");
    if (!ops.flush().isEmpty()) {
      m.append("    void flush() {\n      final int n = gTo - gFrom;\n").append(ops.flush())
          .append("    }\n\n");
    }
    return m.toString();
  }

  /**
   * Whether the loop runs in blocks: it has wide inputs to gather, block products or weight
   * gradients to flush.
   */
  private boolean blocked() {
    return gather.blocked() || !blocks.code().isEmpty() || !ops.flush().isEmpty();
  }

  /** Lines of a method of the class one level deeper, in the frame's. */
  private static String indent(CharSequence lines) {
    return lines.toString().replaceAll("(?m)^(?=.)", "  ");
  }

  /** Lines written for the loop's body one level less deep, in the frame's {@code sample}. */
  private static String outdent(CharSequence lines) {
    return lines.toString().replaceAll("(?m)^  ", "");
  }
}
