package dev.tapetrain.tape;

import java.util.Arrays;

/**
 * An immutable float64 tensor: a scalar (rank 0), a vector (rank 1) or a matrix (rank 2,
 * row-major).
 *
 * <p>Tensors are compared by identity, the way a tape tells them apart: two tensors with equal
 * values are still two nodes of the computation. Use {@link #valueEquals} to compare contents.
 */
public final class Tensor implements Operand {

  private static final int[] SCALAR_SHAPE = new int[0];

  private final int[] shape;
  final double[] data;

  // Takes ownership of the arrays: package-private callers must not keep them.
  Tensor(int[] shape, double[] data) {
    this.shape = shape;
    this.data = data;
  }

  /** A scalar. */
  public static Tensor scalar(double value) {
    return new Tensor(SCALAR_SHAPE, new double[] {value});
  }

  /** A vector holding a copy of {@code values}. */
  public static Tensor vector(double... values) {
    return new Tensor(new int[] {values.length}, values.clone());
  }

  /**
   * A vector over {@code values} itself, without a copy: for large inputs that must not be held
   * twice (a worker's samples). The caller must not change the array while the tensor is used.
   */
  public static Tensor view(double[] values) {
    return new Tensor(new int[] {values.length}, values);
  }

  /**
   * A {@code rows × cols} matrix over {@code rowMajor} itself, without a copy (see
   * {@link #view}).
   */
  public static Tensor viewMatrix(int rows, int cols, double[] rowMajor) {
    if ((long) rows * cols != rowMajor.length) {
      throw new IllegalArgumentException(rows + "×" + cols + " matrix from " + rowMajor.length
          + " values");
    }
    return new Tensor(new int[] {rows, cols}, rowMajor);
  }

  /** A {@code rows × cols} matrix holding a copy of {@code rowMajor}. */
  public static Tensor matrix(int rows, int cols, double[] rowMajor) {
    if ((long) rows * cols != rowMajor.length) {
      throw new IllegalArgumentException(rows + "x" + cols + " matrix needs " + (long) rows * cols
          + " values, got " + rowMajor.length);
    }
    return new Tensor(new int[] {rows, cols}, rowMajor.clone());
  }

  /** A tensor of the given shape (rank 0 to 2) filled with {@code value}. */
  public static Tensor filled(int[] shape, double value) {
    double[] d = new double[checkShape(shape)];
    Arrays.fill(d, value);
    return new Tensor(shape.clone(), d);
  }

  /** Zeros of the given shape. */
  public static Tensor zeros(int[] shape) {
    return new Tensor(shape.clone(), new double[checkShape(shape)]);
  }

  static Tensor wrap(int[] shape, double[] data) {
    return new Tensor(shape, data);
  }

  private static int checkShape(int[] shape) {
    if (shape.length > 2) {
      throw new IllegalArgumentException(
          "only scalars, vectors and matrices are supported, got shape " + Arrays.toString(shape));
    }
    long size = 1;
    for (int d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension: " + Arrays.toString(shape));
      }
      size *= d;
    }
    if (size > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("too large: " + Arrays.toString(shape));
    }
    return (int) size;
  }

  /** The dimensions: {@code []} for a scalar, {@code [n]} for a vector, {@code [r, c]}. A copy. */
  public int[] shape() {
    return shape.clone();
  }

  int[] shapeRef() {
    return shape;
  }

  /** 0 for a scalar, 1 for a vector, 2 for a matrix. */
  public int rank() {
    return shape.length;
  }

  /** The number of elements. */
  public int size() {
    return data.length;
  }

  /** Element {@code i}. */
  public double get(int i) {
    Trace.valueRead(this, "get(int)");
    return data[i];
  }

  /** The value of a scalar (or of a one-element vector). */
  public double item() {
    if (data.length != 1) {
      throw new IllegalStateException("item() of a tensor with " + data.length + " elements");
    }
    Trace.valueRead(this, "item()");
    return data[0];
  }

  /** A copy of the elements. */
  public double[] toArray() {
    Trace.valueRead(this, "toArray()");
    return data.clone();
  }

  /** Whether {@code other} has the same shape and bit-identical elements. */
  public boolean valueEquals(Tensor other) {
    return Arrays.equals(shape, other.shape) && Arrays.equals(data, other.data);
  }

  @Override
  public Tensor asTensor() {
    return this;
  }

  @Override
  public String toString() {
    return shape.length == 0 ? "Tensor(" + data[0] + ")"
        : "Tensor(" + Arrays.toString(shape) + Arrays.toString(data) + ")";
  }
}
