package dev.tapetrain.tape;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every op run on this thread while the trace is open, in order, whether or not a tape records
 * it: the forward computation and the backward sweeps of tapes alike. This is what
 * {@link CompiledFunction} compiles, the counterpart of TensorFlow tracing a {@code tf.function}.
 * <pre>{@code
 * try (Trace trace = Trace.open()) { … ops and tapes … }
 * }</pre>
 */
final class Trace implements AutoCloseable {

  /**
   * One op: its kind, its name (the kind's, or for {@link OpKind#OTHER} the public op's, so a
   * refusal can say which op), its parameter (for {@code pow}), its inputs and its output.
   */
  record Op(OpKind kind, String name, double param, Tensor[] inputs, Tensor output) {}

  private final Trace parent;
  private final List<Op> ops = new ArrayList<>();
  private final Map<Tensor, Boolean> variableValues = new IdentityHashMap<>();

  private Trace(Trace parent) {
    this.parent = parent;
  }

  /** Starts tracing this thread; traces nest, the innermost one records. */
  static Trace open() {
    Trace trace = new Trace(TapeStack.trace());
    TapeStack.setTrace(trace);
    return trace;
  }

  void op(OpKind kind, String name, double param, Tensor[] inputs, Tensor output) {
    ops.add(new Op(kind, name != null ? name : kind.method(), param, inputs.clone(), output));
  }

  void variableRead(Tensor value) {
    variableValues.put(value, Boolean.TRUE);
  }

  /** The ops seen, in the order they ran. */
  List<Op> ops() {
    return ops;
  }

  /** Whether {@code t} is the value of a {@link Variable} read during the trace. */
  boolean isVariableValue(Tensor t) {
    return variableValues.containsKey(t);
  }

  @Override
  public void close() {
    if (TapeStack.trace() == this) {
      TapeStack.setTrace(parent);
    }
  }
}
