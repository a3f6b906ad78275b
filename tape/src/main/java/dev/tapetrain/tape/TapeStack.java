package dev.tapetrain.tape;

import java.util.ArrayList;
import java.util.List;

/**
 * The tapes open on the current thread, innermost last. Ops record onto every open tape that is
 * recording and tracks one of their inputs, as TensorFlow's eager tapes do; every op is also
 * reported to the thread's {@link Trace}, if one is active.
 */
final class TapeStack {

  /** What is open on one thread: tapes, innermost last, and the innermost trace, if any. */
  private static final class Open {
    final List<GradientTape> tapes = new ArrayList<>();
    Trace trace;
  }

  // One thread-local for both, so an op looks up its thread's state once.
  private static final ThreadLocal<Open> OPEN = ThreadLocal.withInitial(Open::new);

  private TapeStack() {}

  static void push(GradientTape tape) {
    OPEN.get().tapes.add(tape);
  }

  static void remove(GradientTape tape) {
    List<GradientTape> open = OPEN.get().tapes;
    for (int i = open.size() - 1; i >= 0; i--) {
      if (open.get(i) == tape) {
        open.remove(i);
        return;
      }
    }
  }

  /** The innermost trace open on this thread, or null. */
  static Trace trace() {
    return OPEN.get().trace;
  }

  /** Makes {@code trace} the innermost trace of this thread (null: none). */
  static void setTrace(Trace trace) {
    OPEN.get().trace = trace;
  }

  static void record(OpKind kind, double param, Tensor[] inputs, Tensor output,
      BackwardRule rule) {
    record(kind, null, param, inputs, output, rule);
  }

  /**
   * Records an op the tape compiler does not fuse ({@link OpKind#OTHER}) under its public name,
   * which a trace keeps so that a refusal names the op.
   */
  static void recordOther(String name, Tensor[] inputs, Tensor output, BackwardRule rule) {
    record(OpKind.OTHER, name, 0, inputs, output, rule);
  }

  /**
   * Reports to the thread's trace, and to no tape, an op whose result no tape differentiates
   * through (a row maximum, a mask): a traced program must still know the result is computed
   * from its inputs, not a constant.
   */
  static void traceOnly(String name, Tensor[] inputs, Tensor output) {
    Trace trace = OPEN.get().trace;
    if (trace != null) {
      trace.op(OpKind.OTHER, name, 0, inputs, output);
    }
  }

  private static void record(OpKind kind, String name, double param, Tensor[] inputs,
      Tensor output, BackwardRule rule) {
    Open open = OPEN.get();
    if (open.trace != null) {
      open.trace.op(kind, name, param, inputs, output);
    }
    List<GradientTape> tapes = open.tapes;
    for (int i = 0, n = tapes.size(); i < n; i++) {
      tapes.get(i).maybeRecord(inputs, output, rule);
    }
  }

  static void variableRead(Variable variable, Tensor value) {
    Open open = OPEN.get();
    if (open.trace != null) {
      open.trace.variableRead(value);
    }
    List<GradientTape> tapes = open.tapes;
    for (int i = 0, n = tapes.size(); i < n; i++) {
      tapes.get(i).onVariableRead(variable, value);
    }
  }
}
