package dev.tapetrain.models;

import java.util.Arrays;

/**
 * One named parameter tensor of a {@link Model}: its shape ({@code []} for a scalar), its initial
 * values (row-major), and whether it is a weight (L2 applies to weights, never to biases).
 *
 * @param name    the name other tools know it by ({@code w}, {@code b}, {@code w1} …)
 * @param shape   its dimensions
 * @param initial its values at step 0, row-major, as many as the shape holds
 * @param weight  whether an L2 penalty applies to it
 */
public record Parameter(String name, int[] shape, double[] initial, boolean weight) {

  /** Checks the values against the shape and copies the arrays. */
  public Parameter {
    shape = shape.clone();
    initial = initial.clone();
    long size = 1;
    for (int d : shape) {
      if (d < 1) {
        throw new IllegalArgumentException("parameter " + name + ": dimension " + d + " in "
            + Arrays.toString(shape));
      }
      size *= d;
    }
    if (size != initial.length) {
      throw new IllegalArgumentException("parameter " + name + " of shape "
          + Arrays.toString(shape) + " needs " + size + " values, got " + initial.length);
    }
  }

  /** The number of values. */
  public int size() {
    return initial.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Parameter p && name.equals(p.name) && Arrays.equals(shape, p.shape)
        && Arrays.equals(initial, p.initial) && weight == p.weight;
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return name + Arrays.toString(shape) + (weight ? " (weight)" : "");
  }
}
