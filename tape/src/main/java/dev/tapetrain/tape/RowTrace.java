package dev.tapetrain.tape;

import java.util.Arrays;

/**
 * Runs a function of per-sample matrices and shaped parameters once, eagerly, under a
 * {@link Trace}, and generates its loop: the tracing half of {@link CompiledFunction#compileRows}.
 */
final class RowTrace {

  private RowTrace() {}

  /** The number of elements of a tensor of {@code shape}. */
  static int sizeOf(int[] shape) {
    int size = 1;
    for (int d : shape) {
      size *= d;
    }
    return size;
  }

  /**
   * Traces a function of per-sample matrices and shaped parameters and generates its loop:
   * with all inputs of one column and scalar parameters, one loop of elementwise ops and sums
   * ({@link LoopGenerator}, whose sources precompiled loops are keyed by) when it takes the
   * program, else a loop over rows ({@link RowLoopGenerator}).
   */
  static CompiledFunction.Traced trace(CompiledFunction.Body body, double[][] columns,
      int[] widths, double[] params, int[][] shapes) throws NotCompilableException {
    int n = columns[0].length;
    Tensor[] v = new Tensor[widths.length];
    int column = 0;
    for (int k = 0; k < v.length; k++) {
      int w = widths[k];
      if (w == 0) {
        v[k] = Tensor.vector(columns[column++]);
        continue;
      }
      double[] rowMajor = new double[n * w];
      for (int c = 0; c < w; c++) {
        double[] col = columns[column++];
        for (int i = 0; i < n; i++) {
          rowMajor[i * w + c] = col[i];
        }
      }
      v[k] = Tensor.matrix(n, w, rowMajor);
    }
    Tensor[] p = new Tensor[shapes.length];
    int at = 0;
    for (int k = 0; k < p.length; k++) {
      int size = sizeOf(shapes[k]);
      double[] values = Arrays.copyOfRange(params, at, at + size);
      at += size;
      p[k] = switch (shapes[k].length) {
        case 0 -> Tensor.scalar(values[0]);
        case 1 -> Tensor.vector(values);
        case 2 -> Tensor.matrix(shapes[k][0], shapes[k][1], values);
        default -> throw new IllegalArgumentException("parameters have at most two dimensions");
      };
    }
    try (TensorScope scope = TensorScope.open(); Trace trace = Trace.open()) {
      trace.parameters(p);
      Tensor[] outputs = body.apply(v, p);
      trace.refuseParameterValueReads();
      int size = 0;
      for (int k = 0; k < outputs.length; k++) {
        if (outputs[k] == null) {
          throw new NotCompilableException("output " + k + " is null (an unconnected gradient?)");
        }
        size += outputs[k].size();
      }
      double[] values = new double[size];
      int to = 0;
      for (Tensor t : outputs) {
        System.arraycopy(t.data, 0, values, to, t.size());
        to += t.size();
      }
      // Scalars, or vectors of one (a one-feature model's weights): the elementwise loop reads
      // the one value as a scalar; any op it cannot take there sends the program to the rows.
      boolean elementwise = Arrays.stream(widths).allMatch(w -> w <= 1)
          && Arrays.stream(p).allMatch(RowTrace::oneValue)
          && Arrays.stream(outputs).allMatch(RowTrace::oneValue);
      if (elementwise) {
        try {
          return new CompiledFunction.Traced(LoopGenerator.generate(trace, v, p, outputs), values);
        } catch (NotCompilableException e) {
          // not one loop of elementwise ops: the loop over rows may take it
        }
      }
      return new CompiledFunction.Traced(RowLoopGenerator.generate(trace, v, p, outputs), values);
    }
  }

  /** A scalar, or a vector of one element. */
  private static boolean oneValue(Tensor t) {
    return t.rank() == 0 || (t.rank() == 1 && t.size() == 1);
  }
}
