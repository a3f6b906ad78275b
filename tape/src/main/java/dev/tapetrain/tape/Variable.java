package dev.tapetrain.tape;

import java.util.Arrays;
import java.util.Objects;

/**
 * A named, mutable holder of a {@link Tensor}: a model parameter.
 *
 * <p>Passing a variable to an op reads it through {@link #asTensor()}, and open tapes that watch
 * accessed variables (the default) watch a trainable variable's value when it is read, as
 * {@code tf.Variable} does. {@link #value()} is a plain read that no tape sees. Assignments are
 * never recorded: they are not differentiable.
 */
public final class Variable implements Operand {

  private final String name;
  private final boolean trainable;
  private Tensor value;

  /** A trainable variable. */
  public Variable(String name, Tensor initial) {
    this(name, initial, true);
  }

  /** A variable; a non-trainable one is only watched when a tape is told to watch it. */
  public Variable(String name, Tensor initial, boolean trainable) {
    this.name = Objects.requireNonNull(name, "name");
    this.value = Objects.requireNonNull(initial, "initial");
    this.trainable = trainable;
  }

  /** The name. */
  public String name() {
    return name;
  }

  /** Whether open tapes watch this variable automatically when it is read. */
  public boolean trainable() {
    return trainable;
  }

  /** The current value, read without any tape noticing. */
  public Tensor value() {
    return value;
  }

  /** The current value as an op input: open tapes see the read. */
  @Override
  public Tensor asTensor() {
    TapeStack.variableRead(this, value);
    return value;
  }

  /** Replaces the value; the shape must not change. */
  public void assign(Tensor newValue) {
    requireSameShape(newValue);
    value = newValue;
  }

  /** {@code value -= delta}, elementwise (a scalar delta applies to every element). */
  public void assignSub(Tensor delta) {
    if (delta.rank() != 0) {
      requireSameShape(delta);
    }
    double[] out = value.data.clone();
    for (int i = 0; i < out.length; i++) {
      out[i] -= delta.data[delta.rank() == 0 ? 0 : i];
    }
    value = Tensor.wrap(value.shapeRef(), out);
  }

  private void requireSameShape(Tensor t) {
    if (!Arrays.equals(t.shapeRef(), value.shapeRef())) {
      throw new IllegalArgumentException("variable '" + name + "' has shape "
          + Arrays.toString(value.shapeRef()) + ", cannot take " + Arrays.toString(t.shapeRef()));
    }
  }

  @Override
  public String toString() {
    return "Variable(" + name + "=" + value + ")";
  }
}
