package dev.tapetrain.worker.tape;

import java.util.ArrayList;
import java.util.List;

/**
 * The tapes open on the current thread, innermost last. Ops record onto every open tape that is
 * recording and tracks one of their inputs, as TensorFlow's eager tapes do; every op is also
 * reported to the thread's {@link Trace}, if one is active.
 */
final class TapeStack {

  private static final ThreadLocal<List<GradientTape>> OPEN = ThreadLocal.withInitial(ArrayList::new);

  private TapeStack() {}

  static void push(GradientTape tape) {
    OPEN.get().add(tape);
  }

  static void remove(GradientTape tape) {
    List<GradientTape> open = OPEN.get();
    for (int i = open.size() - 1; i >= 0; i--) {
      if (open.get(i) == tape) {
        open.remove(i);
        return;
      }
    }
  }

  static void record(OpKind kind, double param, Tensor[] inputs, Tensor output,
      BackwardRule rule) {
    Trace trace = Trace.current();
    if (trace != null) {
      trace.op(kind, param, inputs, output);
    }
    List<GradientTape> open = OPEN.get();
    for (int i = 0, n = open.size(); i < n; i++) {
      open.get(i).maybeRecord(inputs, output, rule);
    }
  }

  static void variableRead(Variable variable, Tensor value) {
    Trace trace = Trace.current();
    if (trace != null) {
      trace.variableRead(value);
    }
    List<GradientTape> open = OPEN.get();
    for (int i = 0, n = open.size(); i < n; i++) {
      open.get(i).onVariableRead(variable, value);
    }
  }
}
