package dev.tapetrain.tape;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Records operations so that gradients can be computed by reverse-mode differentiation, with the
 * semantics of TensorFlow's {@code tf.GradientTape}.
 *
 * <p>Usage order: open (try-with-resources), watch, compute, {@link #gradient}, close. Closing
 * only stops recording; {@code gradient} may be called after the block, as in TensorFlow.
 * <ul>
 *   <li>Only ops with a watched input (or an input computed from one) are recorded.
 *   <li>Trainable {@link Variable}s read while the tape is open are watched automatically unless
 *       the tape was opened with {@code watchAccessedVariables = false}.
 *   <li>A non-persistent tape computes one gradient; a second call throws
 *       {@link IllegalStateException}. A persistent tape keeps its record for many calls.
 *   <li>Several open tapes all record; the gradient computation of an inner tape is itself
 *       recorded by the outer ones, which gives higher derivatives.
 * </ul>
 * A tape belongs to the thread that opened it.
 */
public final class GradientTape implements AutoCloseable {

  private final boolean persistent;
  private final boolean watchAccessedVariables;
  // Sized for the few ops of a model's step: a tape is made per block of samples, every step.
  private final Map<Tensor, Boolean> tracked = new IdentityHashMap<>(16);
  private final Map<Variable, List<Tensor>> variableReads = new IdentityHashMap<>(4);
  private final Map<Variable, Boolean> watchedVariables = new IdentityHashMap<>(4);
  private final List<Entry> entries = new ArrayList<>();
  private boolean recording = true;
  private boolean open = true;
  private boolean used;

  private record Entry(Tensor[] inputs, Tensor output, BackwardRule rule) {}

  /** A non-persistent tape that watches accessed trainable variables. */
  public GradientTape() {
    this(false, true);
  }

  /** A tape; a persistent one allows several {@link #gradient} calls. */
  public GradientTape(boolean persistent) {
    this(persistent, true);
  }

  /**
   * A tape.
   *
   * @param persistent             allow several {@link #gradient} calls
   * @param watchAccessedVariables watch trainable variables automatically when they are read
   */
  public GradientTape(boolean persistent, boolean watchAccessedVariables) {
    this.persistent = persistent;
    this.watchAccessedVariables = watchAccessedVariables;
    TapeStack.push(this);
  }

  /** Whether this tape allows several gradient calls. */
  public boolean persistent() {
    return persistent;
  }

  /** Watches tensors or variables, so the gradient with respect to them can be asked for. */
  public void watch(Operand... operands) {
    for (Operand o : operands) {
      if (o instanceof Variable v) {
        watchedVariables.put(v, Boolean.TRUE);
        onVariableRead(v, v.value());
      } else {
        tracked.put(o.asTensor(), Boolean.TRUE);
      }
    }
  }

  /**
   * Pauses recording until the returned handle is closed:
   * {@code try (var paused = tape.stopRecording()) { … }}.
   */
  public Paused stopRecording() {
    if (!recording) {
      throw new IllegalStateException("the tape is not recording");
    }
    recording = false;
    return new Paused(this);
  }

  /** Handle of a pause; closing it resumes recording. */
  public static final class Paused implements AutoCloseable {
    private final GradientTape tape;
    private boolean closed;

    private Paused(GradientTape tape) {
      this.tape = tape;
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        tape.recording = tape.open;
      }
    }
  }

  /** The gradient of {@code target} with respect to one source, or null if unconnected. */
  public Tensor gradient(Operand target, Operand source) {
    return gradient(target, List.of(source), null, UnconnectedGradients.NONE)[0];
  }

  /** The gradients of {@code target} with respect to each source (null where unconnected). */
  public Tensor[] gradient(Operand target, Operand... sources) {
    return gradient(target, Arrays.asList(sources), null, UnconnectedGradients.NONE);
  }

  /**
   * The gradients of {@code target} with respect to each source.
   *
   * @param target         what to differentiate
   * @param sources        tensors or variables to differentiate by
   * @param outputGradient the gradient to start the sweep from (shaped like the target), or null
   *                       for ones, i.e. the gradient of the sum of the target's elements
   * @param unconnected    what to return for a source the target does not depend on
   * @throws IllegalStateException on a second call of a non-persistent tape
   */
  public Tensor[] gradient(Operand target, List<? extends Operand> sources, Tensor outputGradient,
      UnconnectedGradients unconnected) {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(unconnected, "unconnected");
    if (used && !persistent) {
      throw new IllegalStateException("gradient() was already called on this non-persistent tape;"
          + " open it with new GradientTape(true) to compute several gradients");
    }
    used = true;
    Tensor targetTensor = target instanceof Variable v ? v.value() : target.asTensor();
    Tensor seed = outputGradient != null ? outputGradient
        : Ops.broadcastTo(Tensor.scalar(1.0), targetTensor.shapeRef());
    if (!Arrays.equals(seed.shapeRef(), targetTensor.shapeRef())) {
      throw new IllegalArgumentException("output gradient has shape "
          + Arrays.toString(seed.shapeRef()) + " but the target has shape "
          + Arrays.toString(targetTensor.shapeRef()));
    }
    // This tape does not record its own backward pass; enclosing tapes do.
    boolean wasRecording = recording;
    recording = false;
    try {
      Map<Tensor, Tensor> grads = sweep(targetTensor, seed);
      Tensor[] out = new Tensor[sources.size()];
      for (int i = 0; i < out.length; i++) {
        Operand s = sources.get(i);
        Tensor g;
        Tensor shapeOf;
        if (s instanceof Variable v) {
          g = sumOfReads(v, grads);
          shapeOf = v.value();
        } else {
          shapeOf = s.asTensor();
          g = grads.get(shapeOf);
        }
        if (g == null && unconnected == UnconnectedGradients.ZERO) {
          g = Tensor.zeros(shapeOf.shapeRef());
        }
        out[i] = g;
      }
      return out;
    } finally {
      recording = wasRecording;
      if (!persistent) {
        entries.clear();
      }
    }
  }

  private Map<Tensor, Tensor> sweep(Tensor target, Tensor seed) {
    Map<Tensor, Tensor> grads = new IdentityHashMap<>(2 * entries.size() + 2);
    grads.put(target, seed);
    for (int e = entries.size() - 1; e >= 0; e--) {
      Entry entry = entries.get(e);
      Tensor upstream = grads.get(entry.output);
      if (upstream == null) {
        continue;
      }
      Tensor[] inputs = entry.inputs;
      boolean[] needed = new boolean[inputs.length];
      for (int i = 0; i < inputs.length; i++) {
        needed[i] = tracked.containsKey(inputs[i]);
      }
      Tensor[] local = entry.rule.backward(upstream, inputs, entry.output, needed);
      for (int i = 0; i < inputs.length; i++) {
        if (needed[i] && local[i] != null) {
          grads.merge(inputs[i], local[i], Ops::add);
        }
      }
    }
    return grads;
  }

  private Tensor sumOfReads(Variable v, Map<Tensor, Tensor> grads) {
    List<Tensor> reads = variableReads.get(v);
    if (reads == null) {
      return null;
    }
    Tensor sum = null;
    for (Tensor read : reads) {
      Tensor g = grads.get(read);
      if (g != null) {
        sum = sum == null ? g : Ops.add(sum, g);
      }
    }
    return sum;
  }

  void maybeRecord(Tensor[] inputs, Tensor output, BackwardRule rule) {
    if (!recording) {
      return;
    }
    for (Tensor in : inputs) {
      if (tracked.containsKey(in)) {
        entries.add(new Entry(inputs, output, rule));
        tracked.put(output, Boolean.TRUE);
        return;
      }
    }
  }

  void onVariableRead(Variable v, Tensor value) {
    if (!recording) {
      return;
    }
    if ((watchAccessedVariables && v.trainable()) || watchedVariables.containsKey(v)) {
      List<Tensor> reads = variableReads.computeIfAbsent(v, k -> new ArrayList<>(1));
      for (Tensor r : reads) {
        if (r == value) {
          return;
        }
      }
      reads.add(value);
      tracked.put(value, Boolean.TRUE);
    }
  }

  /** Stops recording; the tape can still compute gradients of what it recorded. */
  @Override
  public void close() {
    if (open) {
      open = false;
      recording = false;
      TapeStack.remove(this);
    }
  }
}
