package dev.tapetrain.tape;

import java.util.Arrays;

/**
 * Differentiable operations on {@code [n, k]} matrices (row-major), for models with several
 * features and outputs: a matrix product, a transpose, and sums and repeats along rows or
 * columns. Each op's forward computation and its backward rule sit side by side; backward rules
 * are written with these same ops, so gradients are differentiable again. Every sum adds in
 * index order, so a result depends only on its inputs, never on who computes it.
 *
 * <p>Conventions, as TensorFlow's: a dense layer is {@code matmul(x, w)} with {@code x} of shape
 * {@code [n, in]} and {@code w} of {@code [in, out]}; {@code repeatRows(b, n)} adds a bias to
 * every row; {@code dense(x, w, b)} is both in one op.
 */
public final class MatrixOps {

  private MatrixOps() {}

  private static int[] matrixShape(Tensor t, String op) {
    int[] s = t.shapeRef();
    if (s.length != 2) {
      throw new IllegalArgumentException(op + " needs a matrix, got shape " + Arrays.toString(s));
    }
    return s;
  }

  /** {@code a · b}: {@code [n, m] × [m, k] → [n, k]}. */
  public static Tensor matmul(Operand left, Operand right) {
    // d(a·b)/da = g · bᵀ, d(a·b)/db = aᵀ · g
    return product("matmul", left.asTensor(), false, right.asTensor(), false,
        (g, in, o, needed) ->
        new Tensor[] {
            needed[0] ? matmulTransposedRight(g, in[1]) : null,
            needed[1] ? matmulTransposedLeft(in[0], g) : null});
  }

  /**
   * A dense layer, {@code x · w + b} with {@code b} added to every row: {@code [n, m] × [m, k]
   * + [k] → [n, k]}. One op with the bits of {@code add(matmul(x, w), repeatRows(b, n))} (each
   * element's products are summed before its bias is added) and the same gradients, without
   * materialising the repeated bias or a second pass over the result.
   */
  public static Tensor dense(Operand x, Operand w, Operand b) {
    Tensor a = x.asTensor();
    Tensor weights = w.asTensor();
    Tensor bias = b.asTensor();
    int[] as = matrixShape(a, "dense");
    int[] ws = matrixShape(weights, "dense");
    if (as[1] != ws[0] || bias.rank() != 1 || bias.size() != ws[1]) {
      throw new IllegalArgumentException("dense of " + Arrays.toString(as) + " × "
          + Arrays.toString(ws) + " + " + Arrays.toString(bias.shapeRef()));
    }
    int n = as[0];
    int k = ws[1];
    double[] out = product(a.data, as[1], 1, weights.data, k, 1, n, as[1], k);
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < k; j++) {
        out[i * k + j] = Arithmetic.add(out[i * k + j], bias.data[j]);
      }
    }
    Tensor result = Tensor.wrap(new int[] {n, k}, out);
    // d/dx = g · wᵀ, d/dw = xᵀ · g, d/db = the column sums of g (repeatRows' rule).
    TapeStack.recordOther("dense", new Tensor[] {a, weights, bias}, result,
        (g, in, o, needed) -> new Tensor[] {
            needed[0] ? matmulTransposedRight(g, in[1]) : null,
            needed[1] ? matmulTransposedLeft(in[0], g) : null,
            needed[2] ? colSum(g) : null});
    return result;
  }

  /**
   * {@code a · bᵀ} ({@code [n, m] × [k, m]ᵀ → [n, k]}) without making {@code bᵀ}: the bits of
   * {@code matmul(a, transpose(b))}. Matrix products' backward rules use it and the next one.
   */
  static Tensor matmulTransposedRight(Tensor a, Tensor b) {
    // C = a·bᵀ: dA = g·b, dB = gᵀ·a
    return product("matmulTransposedRight", a, false, b, true,
        (g, in, o, needed) -> new Tensor[] {
        needed[0] ? matmul(g, in[1]) : null,
        needed[1] ? matmulTransposedLeft(g, in[0]) : null});
  }

  /** {@code aᵀ · b} ({@code [m, n]ᵀ × [m, k] → [n, k]}): the bits of {@code matmul(transpose(a), b)}. */
  static Tensor matmulTransposedLeft(Tensor a, Tensor b) {
    // C = aᵀ·b: dA = b·gᵀ, dB = a·g
    return product("matmulTransposedLeft", a, true, b, false,
        (g, in, o, needed) -> new Tensor[] {
        needed[0] ? matmulTransposedRight(in[1], g) : null,
        needed[1] ? matmul(in[0], g) : null});
  }

  /**
   * The product of {@code a} (or {@code aᵀ}) and {@code b} (or {@code bᵀ}), read in place, as a
   * recorded op named {@code name} with {@code rule} as its backward rule.
   */
  private static Tensor product(String name, Tensor a, boolean transposeA, Tensor b,
      boolean transposeB, BackwardRule rule) {
    int[] as = matrixShape(a, "matmul");
    int[] bs = matrixShape(b, "matmul");
    int n = transposeA ? as[1] : as[0];
    int m = transposeA ? as[0] : as[1];
    int k = transposeB ? bs[0] : bs[1];
    if (m != (transposeB ? bs[1] : bs[0])) {
      throw new IllegalArgumentException("matmul of " + (transposeA ? "transposed " : "")
          + Arrays.toString(as) + " and " + (transposeB ? "transposed " : "")
          + Arrays.toString(bs));
    }
    // A(i, t) and B(t, j) as strides into the row-major arrays.
    double[] out = product(a.data, transposeA ? 1 : as[1], transposeA ? as[1] : 1,
        b.data, transposeB ? 1 : bs[1], transposeB ? bs[1] : 1, n, m, k);
    Tensor result = Tensor.wrap(new int[] {n, k}, out);
    TapeStack.recordOther(name, new Tensor[] {a, b}, result, rule);
    return result;
  }

  /**
   * {@code C[i][j] = Σ_t A(i, t) · B(t, j)} for {@code i < n, t < m, j < k}, where {@code A(i, t)
   * = a[i·aRow + t·aCol]} and {@code B(t, j) = b[t·bRow + j·bCol]} (a transposed operand is the
   * same array read with its strides swapped). Each {@code C[i][j]} starts at 0 and adds its
   * {@code m} products in order of {@code t}, the order of a dot product, so the bits do not
   * depend on the strides; the loops run {@code i, t, j} so that with {@code bCol = 1} the inner
   * loop walks two arrays in step, which the JIT vectorises (each element's own additions keep
   * their order).
   */
  private static double[] product(double[] a, int aRow, int aCol, double[] b, int bRow,
      int bCol, int n, int m, int k) {
    double[] out = new double[n * k];
    if (k == 1) {
      // One output column (a regression's output layer and its weight gradient): a dot product
      // per row, the same additions in the same order, kept in a register instead of out[i].
      for (int i = 0; i < n; i++) {
        double sum = 0;
        for (int t = 0; t < m; t++) {
          sum += a[i * aRow + t * aCol] * b[t * bRow];
        }
        out[i] = sum;
      }
      return out;
    }
    for (int i = 0; i < n; i++) {
      int row = i * k;
      for (int t = 0; t < m; t++) {
        double x = a[i * aRow + t * aCol];
        int from = t * bRow;
        if (bCol == 1) {
          for (int j = 0; j < k; j++) {
            out[row + j] += x * b[from + j];
          }
        } else {
          for (int j = 0; j < k; j++) {
            out[row + j] += x * b[from + j * bCol];
          }
        }
      }
    }
    return out;
  }

  /** {@code aᵀ}: {@code [n, k] → [k, n]}. */
  public static Tensor transpose(Operand matrix) {
    Tensor a = matrix.asTensor();
    int[] s = matrixShape(a, "transpose");
    int n = s[0];
    int k = s[1];
    double[] out = new double[n * k];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < k; j++) {
        out[j * n + i] = a.data[i * k + j];
      }
    }
    Tensor result = Tensor.wrap(new int[] {k, n}, out);
    TapeStack.recordOther("transpose", new Tensor[] {a}, result,
        (g, in, o, needed) -> new Tensor[] {transpose(g)});
    return result;
  }

  /**
   * The sum of each row: {@code [n, k] → [n]}, each left to right from 0. Of one column it is
   * the elementwise op {@code 0 + a} ({@link OpKind#ROW_SUM_OF_ONE}, which turns −0.0 into +0.0
   * as the additions from 0 do), so the tape compiler fuses it: a one-feature model's
   * {@code x [n, 1]} goes through here.
   */
  public static Tensor rowSum(Operand matrix) {
    Tensor a = matrix.asTensor();
    int[] s = matrixShape(a, "rowSum");
    int n = s[0];
    int k = s[1];
    double[] out = new double[n];
    BackwardRule rule = (g, in, o, needed) -> new Tensor[] {repeatColumns(g, k)};
    Tensor result = Tensor.wrap(new int[] {n}, out);
    if (k == 1) {
      Kernels.unary(OpKind.ROW_SUM_OF_ONE, 0, a.data, out);
      TapeStack.record(OpKind.ROW_SUM_OF_ONE, 0, new Tensor[] {a}, result, rule);
      return result;
    }
    for (int i = 0; i < n; i++) {
      double sum = 0;
      for (int j = 0; j < k; j++) {
        sum += a.data[i * k + j];
      }
      out[i] = sum;
    }
    TapeStack.recordOther("rowSum", new Tensor[] {a}, result, rule);
    return result;
  }

  /** The sum of each column: {@code [n, k] → [k]}, each top to bottom. */
  public static Tensor colSum(Operand matrix) {
    Tensor a = matrix.asTensor();
    int[] s = matrixShape(a, "colSum");
    int n = s[0];
    int k = s[1];
    double[] out = new double[k];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < k; j++) {
        out[j] += a.data[i * k + j];
      }
    }
    Tensor result = Tensor.wrap(new int[] {k}, out);
    TapeStack.recordOther("colSum", new Tensor[] {a}, result,
        (g, in, o, needed) -> new Tensor[] {repeatRows(g, n)});
    return result;
  }

  /** A vector of {@code k} as each of {@code n} rows: {@code [k] → [n, k]} (a bias per row). */
  public static Tensor repeatRows(Operand vector, int n) {
    Tensor v = vector.asTensor();
    if (v.rank() != 1) {
      throw new IllegalArgumentException("repeatRows needs a vector, got shape "
          + Arrays.toString(v.shapeRef()));
    }
    int k = v.size();
    double[] out = new double[n * k];
    for (int i = 0; i < n; i++) {
      System.arraycopy(v.data, 0, out, i * k, k);
    }
    Tensor result = Tensor.wrap(new int[] {n, k}, out);
    TapeStack.recordOther("repeatRows", new Tensor[] {v}, result,
        (g, in, o, needed) -> new Tensor[] {colSum(g)});
    return result;
  }

  /**
   * A vector of {@code n} as each of {@code k} columns: {@code [n] → [n, k]}. One column holds
   * the vector's elements as they are ({@link OpKind#COLUMN}, which the tape compiler fuses).
   */
  public static Tensor repeatColumns(Operand vector, int k) {
    Tensor v = vector.asTensor();
    if (v.rank() != 1) {
      throw new IllegalArgumentException("repeatColumns needs a vector, got shape "
          + Arrays.toString(v.shapeRef()));
    }
    int n = v.size();
    double[] out = new double[n * k];
    for (int i = 0; i < n; i++) {
      Arrays.fill(out, i * k, (i + 1) * k, v.data[i]);
    }
    Tensor result = Tensor.wrap(new int[] {n, k}, out);
    BackwardRule rule = (g, in, o, needed) -> new Tensor[] {rowSum(g)};
    if (k == 1) {
      TapeStack.record(OpKind.COLUMN, 0, new Tensor[] {v}, result, rule);
    } else {
      TapeStack.recordOther("repeatColumns", new Tensor[] {v}, result, rule);
    }
    return result;
  }

  /**
   * The largest element of each row, {@code [n, k] → [n]}, as a constant no tape records: a
   * shift that keeps {@code exp} finite in a log-sum-exp, whose gradient does not depend on it.
   * A {@link TracedProgram} still sees it, as an op named {@code rowMax}.
   */
  public static Tensor rowMax(Operand matrix) {
    Tensor a = matrix.asTensor();
    int[] s = matrixShape(a, "rowMax");
    int n = s[0];
    int k = s[1];
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      double m = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < k; j++) {
        m = Math.max(m, a.data[i * k + j]);
      }
      out[i] = m;
    }
    Tensor result = Tensor.wrap(new int[] {n}, out);
    TapeStack.traceOnly("rowMax", new Tensor[] {a}, result);
    return result;
  }

  /**
   * The column of the largest element of each row, {@code [n, k] → [n]} (as a number
   * {@code 0 … k−1}; the first on ties, and a NaN is never the largest after column 0): the
   * class a classifier predicts from its scores. A constant no tape records, traced as an op
   * named {@code rowArgmax} so the compiler computes it per sample.
   */
  public static Tensor rowArgmax(Operand matrix) {
    Tensor a = matrix.asTensor();
    int[] s = matrixShape(a, "rowArgmax");
    int n = s[0];
    int k = s[1];
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      int best = 0;
      for (int j = 1; j < k; j++) {
        if (a.data[i * k + j] > a.data[i * k + best]) {
          best = j;
        }
      }
      out[i] = best;
    }
    Tensor result = Tensor.wrap(new int[] {n}, out);
    TapeStack.traceOnly("rowArgmax", new Tensor[] {a}, result);
    return result;
  }

  /**
   * {@code [n, k]} with 1 at column {@code labels[i]} of row {@code i} and 0 elsewhere, from
   * integer labels {@code 0 … k−1}: a constant no tape records (a mask picking each sample's
   * logit), which a {@link TracedProgram} and the tape compiler still see, as an op named
   * {@code oneHot} of the labels, so a loop computes it per sample.
   *
   * @throws IllegalArgumentException if a label is not one of {@code 0 … k−1}
   */
  public static Tensor oneHot(Operand labels, int k) {
    Tensor y = labels.asTensor();
    if (y.rank() != 1) {
      throw new IllegalArgumentException("oneHot needs a vector of labels, got shape "
          + Arrays.toString(y.shapeRef()));
    }
    int n = y.size();
    double[] out = new double[n * k];
    for (int i = 0; i < n; i++) {
      double label = y.data[i];
      if (!(label == Math.rint(label) && label >= 0 && label < k)) {
        throw new IllegalArgumentException("label " + label + " is not a class 0 … " + (k - 1));
      }
      out[i * k + (int) label] = 1.0;
    }
    Tensor result = Tensor.wrap(new int[] {n, k}, out);
    TapeStack.traceOnly("oneHot", new Tensor[] {y}, result);
    return result;
  }

  /**
   * {@code log Σ_j exp(a_ij)} of each row, {@code [n, k] → [n]}, computed stably as
   * {@code m_i + log Σ_j exp(a_ij − m_i)} with {@code m_i} the row's maximum (a constant), so
   * logits of ±1000 give finite results. Composed of primitives; its gradient is the softmax.
   */
  public static Tensor logSumExp(Operand matrix) {
    Tensor a = matrix.asTensor();
    int k = matrixShape(a, "logSumExp")[1];
    Tensor m = rowMax(a);
    Tensor shifted = Ops.sub(a, repeatColumns(m, k));
    return Ops.add(Ops.log(rowSum(Ops.exp(shifted))), m);
  }

  /**
   * The row-wise softmax, {@code e_ij / Σ_j e_ij} with {@code e_ij = exp(a_ij − m_i)} and
   * {@code m_i} the row's maximum (a constant), {@code [n, k] → [n, k]}: class probabilities
   * from logits, accurate also for logits of ±1000 (shifting by the maximum leaves no
   * cancellation against a large log-sum-exp).
   */
  public static Tensor softmax(Operand matrix) {
    Tensor a = matrix.asTensor();
    int k = matrixShape(a, "softmax")[1];
    Tensor e = Ops.exp(Ops.sub(a, repeatColumns(rowMax(a), k)));
    return Ops.div(e, repeatColumns(rowSum(e), k));
  }

  /** A vector {@code [n]} as an {@code [n, 1]} matrix (a view; differentiable). */
  public static Tensor column(Operand vector) {
    return repeatColumns(vector, 1);
  }
}
