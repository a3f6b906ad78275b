package dev.tapetrain.protocol;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A named float64 tensor as it travels between actors: a model parameter or the gradient sum of
 * one. A scalar has an empty shape; values are in row-major order.
 *
 * <p>Arrays are copied on construction but not on access (this is on the per-step path): callers
 * must not mutate the arrays returned by {@link #shape()} and {@link #values()}.
 *
 * @param name  the parameter's name, as its model declares it
 * @param shape dimensions, empty for a scalar
 * @param values the elements, {@code product(shape)} of them
 */
public record NamedTensor(String name, int[] shape, double[] values) {

  /** Validates that the shape and the number of values agree. */
  public NamedTensor {
    Objects.requireNonNull(name, "name");
    shape = shape.clone();
    values = values.clone();
    long size = 1;
    for (int d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
      }
      size *= d;
    }
    if (size != values.length) {
      throw new IllegalArgumentException(
          "tensor '" + name + "' has shape " + Arrays.toString(shape) + " but " + values.length
              + " values");
    }
  }

  /** A scalar tensor. */
  public static NamedTensor scalar(String name, double value) {
    return new NamedTensor(name, new int[0], new double[] {value});
  }

  /** A 1-D tensor of the given values. */
  public static NamedTensor vector(String name, double... values) {
    return new NamedTensor(name, new int[] {values.length}, values);
  }

  /** The number of elements. */
  public int size() {
    return values.length;
  }

  /** The single value of a one-element tensor. */
  public double scalarValue() {
    if (values.length != 1) {
      throw new IllegalStateException("tensor '" + name + "' has " + values.length + " values");
    }
    return values[0];
  }

  /** The tensor with the same name and shape and the given values. */
  public NamedTensor withValues(double[] newValues) {
    return new NamedTensor(name, shape, newValues);
  }

  /** Finds the tensor called {@code name} in {@code tensors}. */
  public static NamedTensor find(List<NamedTensor> tensors, String name) {
    for (NamedTensor t : tensors) {
      if (t.name.equals(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException("no tensor named '" + name + "'");
  }

  // Records compare arrays by reference; tensors are values, so compare contents (bitwise for
  // doubles, which is what the determinism contract promises).
  @Override
  public boolean equals(Object o) {
    return o instanceof NamedTensor t
        && name.equals(t.name)
        && Arrays.equals(shape, t.shape)
        && Arrays.equals(values, t.values);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, Arrays.hashCode(shape), Arrays.hashCode(values));
  }

  @Override
  public String toString() {
    return name + Arrays.toString(shape) + "=" + Arrays.toString(values);
  }
}
