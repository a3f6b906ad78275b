package dev.tapetrain.tape;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a {@link Trace} into the Java source of one loop that computes the traced function's
 * scalar outputs in a single pass over its vector inputs.
 *
 * <p>Every traced value is one of: a vector input, a scalar input, a scalar constant, a scalar
 * computed before the loop (from inputs and constants), an element of a vector op (computed per
 * index inside the loop), a full {@code sum} of a vector (accumulated inside the loop), or a
 * scalar computed after the loop from such sums. A "vector" is anything with one element per
 * index: an {@code [n]} vector or an {@code [n, 1]} matrix (a one-column input, or
 * {@code MatrixOps.column}); the row sums of a one-column matrix are an elementwise op
 * ({@link OpKind#ROW_SUM_OF_ONE}) and a column of a vector is the vector itself. Each element
 * calls the op's {@link Arithmetic} method, the same one its eager kernel applies, and each sum
 * adds in exactly the order of {@link Kernels#sum} (four lanes counted from the start of the
 * range, combined as {@code (s0 + s1) + (s2 + s3)}, then the tail in index order), so the loop's
 * results are bit for bit those of running the ops one by one.
 *
 * <p>A row sum of one column, {@code 0 + a}, differs from {@code a} only for {@code a = −0.0}; where
 * no sign of a zero can reach an output from it ({@link #zeroSignReachesOutput}), the loop reads
 * {@code a} itself: the same outputs with one addition less per element (a one-feature model's
 * {@code x} goes through one).
 *
 * <p>The class is written by {@link LoopSource} (one pass), or where the ops choose and all
 * vectorise by {@link BlockedLoopSource} (two passes per block of samples, the same bits).
 *
 * <p>Not fusable, reported by {@link NotCompilableException}: ops other than elementwise ones,
 * {@code broadcastTo} of a scalar, one-column {@code column}/{@code rowSum}, {@code sum} and
 * one-column {@code matvec}/{@code vecmat} with a vector of one
 * (named in the message); vector tensors the function did not take as inputs; matrices of more
 * than one column; values of {@link Variable}s; vector outputs; and a vector computed from a sum
 * (that would need a second pass).
 */
final class LoopGenerator {

  /** The name of the generated class (each is loaded by a class loader of its own). */
  static final String CLASS_NAME = "TapeLoop";

  /** Where a value is available. */
  private enum Place { VECTOR_INPUT, SCALAR_INPUT, CONSTANT, BEFORE_LOOP, IN_LOOP, AFTER_LOOP }

  /** Whether {@code t} has one element per index: {@code [length]} or {@code [length, 1]}. */
  private boolean perIndex(Tensor t) {
    int[] s = t.shapeRef();
    return (s.length == 1 && s[0] == length) || (s.length == 2 && s[0] == length && s[1] == 1);
  }

  /** A traced value: where it lives and the Java expression that reads it. */
  private record Value(Place place, String name) {
    boolean isVector() {
      return place == Place.VECTOR_INPUT || place == Place.IN_LOOP;
    }
  }

  private final Map<Tensor, Value> values = new IdentityHashMap<>();
  private final int length;
  private final StringBuilder constants = new StringBuilder();
  private final StringBuilder before = new StringBuilder();
  private final StringBuilder element = new StringBuilder();
  /** The element's statements in {@link BlockedLoopSource}'s vectorisable forms. */
  private final StringBuilder vectorElement = new StringBuilder();
  /** Whether every op of the element has a vectorisable form. */
  private boolean vectorisable = true;
  /** Whether the element has an op that chooses (a comparison, sign, ReLU). */
  private boolean chooses;
  private final StringBuilder after = new StringBuilder();
  private final List<LoopSource.Sum> sums = new ArrayList<>();
  private final List<LoopSource.OrderedSum> orderedSums = new ArrayList<>();
  private Map<Tensor, Boolean> zeroSignReachesOutput = Map.of();
  private int constantCount;

  private LoopGenerator(int length) {
    this.length = length;
  }

  /**
   * The source of a class named {@link #CLASS_NAME} implementing {@link CompiledFunction.Kernel}.
   *
   * @param trace   the ops the function ran on example inputs
   * @param vectors the function's vector inputs, as passed to it during the trace (all of one
   *                length)
   * @param scalars the function's scalar inputs, as passed to it
   * @param outputs what the function returned
   */
  static String generate(Trace trace, Tensor[] vectors, Tensor[] scalars,
      Tensor[] outputs) throws NotCompilableException {
    LoopGenerator g = new LoopGenerator(vectors[0].size());
    for (int k = 0; k < vectors.length; k++) {
      g.values.put(vectors[k], new Value(Place.VECTOR_INPUT, "v" + k + "[j]"));
    }
    for (int k = 0; k < scalars.length; k++) {
      g.values.put(scalars[k], new Value(Place.SCALAR_INPUT, "s" + k));
    }
    List<Trace.Op> live = liveOps(trace.ops(), outputs);
    g.zeroSignReachesOutput = zeroSignReachesOutput(live, outputs);
    for (int id = 0; id < live.size(); id++) {
      g.emit(id, live.get(id), trace);
    }
    String[] outs = new String[outputs.length];
    for (int k = 0; k < outputs.length; k++) {
      Value v = g.value(outputs[k], trace);
      if (v.isVector()) {
        throw new NotCompilableException("output " + k + " is a vector; outputs must be scalars");
      }
      outs[k] = v.name();
    }
    return g.source(vectors.length, scalars.length, outs);
  }

  /** The ops that contribute to an output, in trace order. */
  static List<Trace.Op> liveOps(List<Trace.Op> ops, Tensor[] outputs) {
    Map<Tensor, Boolean> needed = new IdentityHashMap<>();
    for (Tensor t : outputs) {
      needed.put(t, Boolean.TRUE);
    }
    boolean[] keep = new boolean[ops.size()];
    for (int i = ops.size() - 1; i >= 0; i--) {
      Trace.Op op = ops.get(i);
      if (needed.containsKey(op.output())) {
        keep[i] = true;
        for (Tensor in : op.inputs()) {
          needed.put(in, Boolean.TRUE);
        }
      }
    }
    List<Trace.Op> live = new ArrayList<>();
    for (int i = 0; i < ops.size(); i++) {
      if (keep[i]) {
        live.add(ops.get(i));
      }
    }
    return live;
  }

  /** How an op's result changes when an input is a zero of the other sign. */
  private enum ZeroSign {
    /** Not at all. */
    ABSORBS,
    /** At most in the sign of a zero result. */
    PASSES,
    /** Possibly in more (or not known to be harmless): {@code 1 / −0.0} is −∞. */
    SHOWS
  }

  private static ZeroSign zeroSign(OpKind kind) {
    return switch (kind) {
      // (±0)² and 0 + (±0) are +0, and a sum starts from +0, which no zero added makes −0.
      case SUM, SQUARE, SQUARED_DIFFERENCE, ROW_SUM_OF_ONE -> ZeroSign.ABSORBS;
      // Sums, differences and products of zeros of either sign are zeros of either sign (∞ · ±0
      // is the same NaN), and of a zero and a nonzero the same nonzero.
      case ADD, SUB, MUL, MUL_ADD, TWICE_DIFFERENCE_TIMES, NEG, BROADCAST_TO, COLUMN ->
          ZeroSign.PASSES;
      default -> ZeroSign.SHOWS;
    };
  }

  /**
   * The values whose sign, when they are zero, can change an output's bits: the outputs, then,
   * backwards through the live ops, the inputs of an op that shows a zero's sign, and of an op
   * that passes it on to such a value. Conservative: an op not listed in {@link #zeroSign} shows
   * it.
   */
  private static Map<Tensor, Boolean> zeroSignReachesOutput(List<Trace.Op> live,
      Tensor[] outputs) {
    Map<Tensor, Boolean> reaches = new IdentityHashMap<>();
    for (Tensor t : outputs) {
      reaches.put(t, Boolean.TRUE);
    }
    for (int i = live.size() - 1; i >= 0; i--) {
      Trace.Op op = live.get(i);
      ZeroSign z = zeroSign(op.kind());
      if (z == ZeroSign.SHOWS || (z == ZeroSign.PASSES && reaches.containsKey(op.output()))) {
        for (Tensor in : op.inputs()) {
          reaches.put(in, Boolean.TRUE);
        }
      }
    }
    return reaches;
  }

  /** The value of {@code t}: traced already, or a leaf (a scalar constant). */
  private Value value(Tensor t, Trace trace) throws NotCompilableException {
    Value v = values.get(t);
    if (v != null) {
      return v;
    }
    if (trace.isVariableValue(t)) {
      throw new NotCompilableException("the function reads a Variable; pass its value as a scalar"
          + " input instead");
    }
    if (t.rank() != 0) {
      throw new NotCompilableException("the function uses a tensor of shape "
          + java.util.Arrays.toString(t.shapeRef()) + " it did not take as an input");
    }
    String name = "k" + constantCount++;
    constants.append("    final double ").append(name).append(" = Double.longBitsToDouble(0x")
        .append(Long.toHexString(Double.doubleToRawLongBits(t.data[0]))).append("L); // ")
        .append(t.data[0]).append('\n');
    v = new Value(Place.CONSTANT, name);
    values.put(t, v);
    return v;
  }

  private void emit(int id, Trace.Op op, Trace trace) throws NotCompilableException {
    if (values.containsKey(op.output())) {
      return; // an op that returned one of its inputs
    }
    if (op.kind() == OpKind.OTHER) {
      if (oneColumnProduct(id, op, trace)) {
        return;
      }
      if (!RowExpressions.elementwise(op)) {
        throw new NotCompilableException("op " + op.name() + " is not fused (one loop fuses"
            + " elementwise ops, sums, broadcasts, one-column row sums and products)");
      }
    }
    Value[] in = new Value[op.inputs().length];
    boolean vector = false;
    boolean afterLoop = false;
    for (int k = 0; k < in.length; k++) {
      in[k] = value(op.inputs()[k], trace);
      vector |= in[k].isVector();
      afterLoop |= in[k].place() == Place.AFTER_LOOP;
    }
    Tensor out = op.output();
    boolean perIndex = perIndex(out);
    if (out.rank() > 0 && !perIndex) {
      throw new NotCompilableException("op " + op.name() + " gives shape "
          + java.util.Arrays.toString(out.shapeRef()) + "; only scalars and vectors (or one"
          + " column) of the inputs' length are fused");
    }
    String name = "t" + id;
    if (op.kind() == OpKind.SUM && vector) {
      if (afterLoop) {
        throw new NotCompilableException("a sum of values computed from a sum needs two passes");
      }
      sums.add(new LoopSource.Sum(name, in[0].name()));
      values.put(out, new Value(Place.AFTER_LOOP, name));
      return;
    }
    if (perIndex && afterLoop) {
      throw new NotCompilableException("a vector computed from a sum needs two passes");
    }
    Place place = perIndex ? Place.IN_LOOP
        : afterLoop ? Place.AFTER_LOOP : Place.BEFORE_LOOP;
    if (op.kind() == OpKind.BROADCAST_TO || op.kind() == OpKind.COLUMN
        || (op.kind() == OpKind.ROW_SUM_OF_ONE && !zeroSignReachesOutput.containsKey(out))) {
      // The same element at every index (a broadcast scalar), the vector's own element, or an
      // element whose −0.0 would turn +0.0 where no output can tell.
      values.put(out, new Value(place, in[0].name()));
      return;
    }
    StringBuilder to = switch (place) {
      case IN_LOOP -> element;
      case AFTER_LOOP -> after;
      default -> before;
    };
    String indent = place == Place.IN_LOOP ? "        " : "    ";
    to.append(indent).append("final double ").append(name).append(" = ")
        .append(expression(op, in)).append(";\n");
    if (place == Place.IN_LOOP) {
      vectorElement(name, vectorExpression(op, in));
    }
    values.put(out, new Value(place, name));
  }

  /**
   * The products of a one-column matrix {@code A} ({@code [length, 1]}, one element per index)
   * with a one-element vector {@code w} ({@code [1]}, a scalar input): {@code matvec(A, w)} is per
   * index {@code 0.0 + a·w}, as {@link Ops#matvec}'s loop computes it, and {@code vecmat(g, A)}
   * (its gradient for {@code w}) the sum of {@code g·a} in index order from {@code 0.0}, as
   * {@link Ops#vecmat}'s. A one-feature model whose weights are a vector of one (the README's
   * Huber model) thus runs this loop, not the loop over rows. False for any other op.
   */
  private boolean oneColumnProduct(int id, Trace.Op op, Trace trace)
      throws NotCompilableException {
    Tensor[] inputs = op.inputs();
    if (inputs.length != 2 || !(op.name().equals("matvec") || op.name().equals("vecmat"))) {
      return false;
    }
    Value a = value(inputs[0], trace);
    Value b = value(inputs[1], trace);
    if (a.place() == Place.AFTER_LOOP || b.place() == Place.AFTER_LOOP) {
      throw new NotCompilableException("a product of values computed from a sum needs two"
          + " passes");
    }
    String name = "t" + id;
    if (op.name().equals("matvec") && a.isVector() && inputs[0].rank() == 2 && !b.isVector()
        && inputs[1].rank() == 1 && inputs[1].size() == 1 && perIndex(op.output())) {
      String product = "0.0 + " + a.name() + " * " + b.name();
      element.append("        final double ").append(name).append(" = ").append(product)
          .append(";\n");
      vectorElement(name, product);
      values.put(op.output(), new Value(Place.IN_LOOP, name));
      return true;
    }
    if (op.name().equals("vecmat") && a.isVector() && inputs[0].rank() == 1 && b.isVector()
        && inputs[1].rank() == 2 && op.output().size() == 1) {
      orderedSums.add(new LoopSource.OrderedSum(name, a.name() + " * " + b.name()));
      values.put(op.output(), new Value(Place.AFTER_LOOP, name));
      return true;
    }
    return false;
  }

  /**
   * The element (or scalar) of an op: a call of its {@link Arithmetic} method, the definition the
   * eager kernel applies too, so both give the same bits.
   */
  private static String expression(Trace.Op op, Value[] in) {
    if (op.kind() == OpKind.SUM) {
      // Kernels.sum of one element: ((0 + 0) + (0 + 0)) + a
      return "0.0 + " + in[0].name();
    }
    if (op.kind() == OpKind.OTHER) {
      // A comparison, sign, abs, relu, log1p: the row loop's expression of the same element.
      return RowExpressions.ofNamed(op, java.util.Arrays.stream(in).map(Value::name)
          .toArray(String[]::new));
    }
    if (!op.kind().elementwise()) {
      throw new IllegalStateException("no loop code for " + op.kind());
    }
    StringBuilder call = new StringBuilder(ARITHMETIC).append('.').append(op.kind().method())
        .append('(');
    for (int k = 0; k < in.length; k++) {
      call.append(k > 0 ? ", " : "").append(in[k].name());
    }
    if (op.kind() == OpKind.POW) {
      call.append(", Double.longBitsToDouble(0x")
          .append(Long.toHexString(Double.doubleToRawLongBits(op.param()))).append("L)");
    }
    return call.append(')').toString();
  }

  /** Appends an element's statement in its vectorisable form (null: it has none). */
  private void vectorElement(String name, String expression) {
    if (expression == null) {
      vectorisable = false;
      return;
    }
    vectorElement.append("        final double ").append(name).append(" = ").append(expression)
        .append(";\n");
  }

  /**
   * The element of an op as {@link BlockedLoopSource}'s first pass computes it: its
   * {@link VectorForms} form for an op that chooses, else its own expression; null for an op
   * computed by a call with branches (exp, log, tanh, …), which C2 does not vectorise.
   */
  private String vectorExpression(Trace.Op op, Value[] in) {
    String form = switch (op.kind()) {
      case EXP, LOG, TANH, SIGMOID, POW -> null;
      case OTHER -> switch (op.name()) {
        case "equal", "greater", "greaterEqual", "sign", "relu" ->
            VectorForms.class.getName() + "." + op.name();
        case "abs" -> "";
        default -> null;
      };
      default -> "";
    };
    if (form == null || form.isEmpty()) {
      return form == null ? null : expression(op, in);
    }
    chooses = true;
    StringBuilder call = new StringBuilder(form).append('(');
    for (int k = 0; k < in.length; k++) {
      call.append(k > 0 ? ", " : "").append(in[k].name());
    }
    return call.append(')').toString();
  }

  /** The class generated loops call for each op's arithmetic. */
  private static final String ARITHMETIC = Arithmetic.class.getName();

  /**
   * The class: in two passes per block ({@link BlockedLoopSource}) where every op of the element
   * has a vectorisable form and one of them chooses — the ops whose one-pass code is the slowest
   * (integer choices and bit moves, one sample at a time) and which vectorise best —, else the
   * one-pass loop (so the sources precompiled loops are keyed by stay as they are).
   */
  private String source(int vectorCount, int scalarCount, String[] outs) {
    LoopSource.Parts p = new LoopSource.Parts(vectorCount, scalarCount, constants.toString(),
        before.toString(), element.toString(), sums, orderedSums, after.toString(), outs);
    return vectorisable && chooses && p.hasSums()
        ? BlockedLoopSource.of(p, vectorElement.toString()) : LoopSource.onePass(p);
  }
}
