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
  /** The parameters, variables' values and every op's output computed from them. */
  private final Map<Tensor, Boolean> fromParameters = new IdentityHashMap<>();
  /** How the traced code first read the value of a tensor of {@link #fromParameters}, or null. */
  private String parameterValueRead;

  /**
   * Traces open on any thread: while none is, a tensor's value is read without looking up this
   * thread's trace ({@link #valueRead}).
   */
  private static final java.util.concurrent.atomic.AtomicInteger OPEN =
      new java.util.concurrent.atomic.AtomicInteger();
  private boolean closed;

  private Trace(Trace parent) {
    this.parent = parent;
  }

  /** Starts tracing this thread; traces nest, the innermost one records. */
  static Trace open() {
    Trace trace = new Trace(TapeStack.trace());
    TapeStack.setTrace(trace);
    OPEN.incrementAndGet();
    return trace;
  }

  void op(OpKind kind, String name, double param, Tensor[] inputs, Tensor output) {
    ops.add(new Op(kind, name != null ? name : kind.method(), param, inputs.clone(), output));
    for (Tensor in : inputs) {
      if (fromParameters.containsKey(in)) {
        fromParameters.put(output, Boolean.TRUE);
        break;
      }
    }
  }

  void variableRead(Tensor value) {
    variableValues.put(value, Boolean.TRUE);
    fromParameters.put(value, Boolean.TRUE);
  }

  /** Says that {@code values} are the traced function's parameters. */
  void parameters(Tensor... values) {
    for (Tensor t : values) {
      fromParameters.put(t, Boolean.TRUE);
    }
  }

  /**
   * Called by {@link Tensor}'s value getters ({@code how}: which): a read of a value computed
   * from the parameters while this thread traces is noted, as the code may choose its ops by
   * it (a model that misbehaves once its bias passes a bound, a branch on the loss) and a loop
   * replays only the ops of the parameters it was traced at.
   */
  static void valueRead(Tensor t, String how) {
    if (OPEN.get() == 0) {
      return;
    }
    Trace trace = TapeStack.trace();
    if (trace != null && trace.parameterValueRead == null && trace.fromParameters.containsKey(t)) {
      trace.parameterValueRead = how;
    }
  }

  /**
   * Refuses a program whose code read a value computed from the parameters while traced
   * (see {@link #valueRead}); call when the traced function has returned, before its outputs
   * are read.
   */
  void refuseParameterValueReads() throws NotCompilableException {
    if (parameterValueRead != null) {
      throw new NotCompilableException("the traced code read the value of a parameter (or of a "
          + "result computed from one) with Tensor." + parameterValueRead
          + ": its ops may depend on it, so it runs on the eager tape");
    }
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
    if (!closed) {
      closed = true;
      OPEN.decrementAndGet();
    }
  }
}
