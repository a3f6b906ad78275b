package dev.tapetrain.tape;

import java.util.Arrays;

/**
 * A function of vectors and scalars, written with {@link Ops} and {@link GradientTape}s, compiled
 * into one loop: the counterpart of TensorFlow's {@code tf.function} with XLA fusion.
 *
 * <p>{@link #compile} runs the function eagerly on example inputs while a {@link Trace} records
 * every op (the forward pass and the tapes' backward sweeps), generates one Java loop that does
 * the same arithmetic per element and the same sums in the same order ({@link LoopGenerator}),
 * and compiles it with Janino. The tape is still what differentiates: the loop only replays what
 * it recorded, with every intermediate in registers instead of one pass over memory per op.
 *
 * <p>Results are bit-identical to running the function eagerly on the same elements. Checked
 * twice when compiling: the function is traced at two lengths and must give the same loop (so it
 * does not depend on the number of elements), and the compiled loop must reproduce the eager
 * outputs on the example bit for bit. Like a {@code tf.function}, the function must run the same
 * ops whatever the values (no branching on them).
 *
 * <p>Where a loop comes from, first hit wins: this JVM's loops; a {@link PrecompiledLoop} on the
 * class path; the installed {@link LoopStore} ({@link #keepLoopsIn}: class files an earlier JVM
 * compiled); Janino, whose class files then go to the store. Each is checked as above
 * ({@link LoopResolver}).
 */
public final class CompiledFunction {

  /** The function: scalar outputs from vector inputs (all of one length) and scalar inputs. */
  @FunctionalInterface
  public interface Body {
    /**
     * @param vectors tensors of one length {@code n}: rank-1 {@code [n]}, or {@code [n, 1]} for
     *                those compiled as columns
     * @param scalars rank-0 tensors
     * @return scalar tensors
     */
    Tensor[] apply(Tensor[] vectors, Tensor[] scalars);
  }

  /** Implemented by the generated code; not for use elsewhere. */
  public interface Kernel {
    /**
     * Computes the outputs over elements {@code [from, to)} of each vector into
     * {@code out[at …]}.
     */
    void run(double[][] vectors, int from, int to, double[] scalars, double[] out, int at);
  }

  private final Kernel kernel;
  private final LoopResolver.Origin origin;
  private final int vectorCount;
  private final int scalarCount;
  private final int outputCount;
  private final String source;

  private CompiledFunction(LoopResolver.Loop loop, int vectorCount, int scalarCount,
      int outputCount, String source) {
    this.kernel = loop.kernel();
    this.origin = loop.origin();
    this.vectorCount = vectorCount;
    this.scalarCount = scalarCount;
    this.outputCount = outputCount;
    this.source = source;
  }

  /**
   * Traces and compiles {@code body}.
   *
   * @param exampleVectors vectors to trace with: at least one, all of one length, at least 3
   * @param exampleScalars scalars to trace with
   * @throws NotCompilableException if the function uses what one loop cannot compute
   */
  public static CompiledFunction compile(Body body, double[][] exampleVectors,
      double[] exampleScalars) throws NotCompilableException {
    return compile(body, exampleVectors, exampleScalars, true);
  }

  /**
   * As {@link #compile(Body, double[][], double[])}; with {@code compileAtRunTime} false only a
   * loop that needs no compiler now (precompiled, or compiled earlier in this JVM) is used, and
   * null is returned when there is none.
   */
  public static CompiledFunction compile(Body body, double[][] exampleVectors,
      double[] exampleScalars, boolean compileAtRunTime) throws NotCompilableException {
    return compile(body, exampleVectors, new boolean[exampleVectors.length], exampleScalars,
        compileAtRunTime);
  }

  /**
   * As {@link #compile(Body, double[][], double[], boolean)}, with vector {@code k} passed to
   * {@code body} as an {@code [n, 1]} matrix where {@code columns[k]} (a one-feature model's
   * {@code x}): the loop reads it as the same array of {@code n} values, one per index, so
   * {@link #apply} takes it as a plain vector.
   */
  public static CompiledFunction compile(Body body, double[][] exampleVectors, boolean[] columns,
      double[] exampleScalars, boolean compileAtRunTime) throws NotCompilableException {
    if (columns.length != exampleVectors.length) {
      throw new IllegalArgumentException(exampleVectors.length + " vectors but " + columns.length
          + " column flags");
    }
    if (exampleVectors.length == 0) {
      throw new IllegalArgumentException("a compiled function needs at least one vector input");
    }
    int n = exampleVectors[0].length;
    for (double[] v : exampleVectors) {
      if (v.length != n) {
        throw new IllegalArgumentException("example vectors differ in length");
      }
    }
    if (n < 3) {
      throw new IllegalArgumentException("example vectors need at least 3 elements, got " + n);
    }
    return compile(vectors -> trace(body, vectors, columns, exampleScalars), exampleVectors,
        exampleScalars, compileAtRunTime);
  }

  /**
   * As {@link #compile(Body, double[][], boolean[], double[], boolean)} for a function of
   * per-sample matrices and parameters of any shape (a dense layer's model): {@code body}'s
   * first argument holds the sample inputs, input {@code k} an {@code [n]} vector where
   * {@code widths[k]} is 0, else an {@code [n, widths[k]]} matrix whose columns are the next
   * {@code widths[k]} arrays of {@code exampleColumns}; its second the parameters, of
   * {@code paramShapes}, whose values {@code exampleParams} holds flattened row-major one after
   * the other. Its outputs may have any shape. {@link #apply} then takes the columns as vectors,
   * the flattened parameters as scalars, and gives the outputs flattened, one after the other.
   *
   * @throws NotCompilableException if the function uses what the loop cannot compute (the
   *                                message names the op)
   */
  public static CompiledFunction compileRows(Body body, double[][] exampleColumns, int[] widths,
      double[] exampleParams, int[][] paramShapes, boolean compileAtRunTime)
      throws NotCompilableException {
    int columns = 0;
    for (int w : widths) {
      columns += Math.max(1, w);
    }
    int params = 0;
    for (int[] shape : paramShapes) {
      params += RowTrace.sizeOf(shape);
    }
    if (columns != exampleColumns.length || columns == 0 || params != exampleParams.length) {
      throw new IllegalArgumentException(exampleColumns.length + " columns and "
          + exampleParams.length + " parameter values for inputs of widths "
          + Arrays.toString(widths) + " and " + paramShapes.length + " parameters");
    }
    int n = exampleColumns[0].length;
    for (double[] v : exampleColumns) {
      if (v.length != n) {
        throw new IllegalArgumentException("example columns differ in length");
      }
    }
    if (n < 3) {
      throw new IllegalArgumentException("example columns need at least 3 samples, got " + n);
    }
    return compile(vectors -> RowTrace.trace(body, vectors, widths, exampleParams, paramShapes),
        exampleColumns, exampleParams, compileAtRunTime);
  }

  /** Traces a function on example vectors (of any length the caller chooses). */
  @FunctionalInterface
  private interface Tracer {
    Traced trace(double[][] vectors) throws NotCompilableException;
  }

  /**
   * Traces at the examples' length and one less (the same source, or it depends on the
   * length), finds or compiles the loop and checks it against the eager outputs, bit for bit.
   */
  private static CompiledFunction compile(Tracer tracer, double[][] exampleVectors,
      double[] exampleScalars, boolean compileAtRunTime) throws NotCompilableException {
    int n = exampleVectors[0].length;
    Traced traced = tracer.trace(exampleVectors);
    double[][] shorter = new double[exampleVectors.length][];
    for (int k = 0; k < shorter.length; k++) {
      shorter[k] = Arrays.copyOf(exampleVectors[k], n - 1);
    }
    if (!traced.source().equals(tracer.trace(shorter).source())) {
      throw new NotCompilableException("the function computes differently for " + n + " and "
          + (n - 1) + " elements (does it use the number of elements?)");
    }
    double[] eager = traced.outputs();
    String source = traced.source();
    LoopResolver.Loop loop = LoopResolver.resolve(source, exampleVectors, exampleScalars, eager,
        compileAtRunTime);
    if (loop == null) {
      return null;
    }
    return new CompiledFunction(loop, exampleVectors.length, exampleScalars.length,
        eager.length, source);
  }

  /** The generated source, and the outputs of the eager run that was traced. */
  record Traced(String source, double[] outputs) {}

  private static Traced trace(Body body, double[][] vectors, boolean[] columns,
      double[] scalars) throws NotCompilableException {
    Tensor[] v = new Tensor[vectors.length];
    for (int k = 0; k < v.length; k++) {
      v[k] = columns[k] ? Tensor.matrix(vectors[k].length, 1, vectors[k])
          : Tensor.vector(vectors[k]);
    }
    Tensor[] s = new Tensor[scalars.length];
    for (int k = 0; k < s.length; k++) {
      s[k] = Tensor.scalar(scalars[k]);
    }
    try (TensorScope scope = TensorScope.open(); Trace trace = Trace.open()) {
      trace.parameters(s);
      Tensor[] outputs = body.apply(v, s);
      trace.refuseParameterValueReads();
      double[] values = new double[outputs.length];
      for (int k = 0; k < outputs.length; k++) {
        if (outputs[k] == null) {
          throw new NotCompilableException("output " + k + " is null (an unconnected gradient?)");
        }
        if (outputs[k].rank() != 0) {
          throw new NotCompilableException("output " + k + " has shape "
              + Arrays.toString(outputs[k].shapeRef()) + "; outputs must be scalars");
        }
        values[k] = outputs[k].item();
      }
      return new Traced(LoopGenerator.generate(trace, v, s, outputs), values);
    }
  }

  /**
   * Computes the outputs over elements {@code [from, to)} of {@code vectors}: what the function
   * gives for those elements alone, bit for bit.
   *
   * @param out receives one value per output
   */
  public void apply(double[][] vectors, int from, int to, double[] scalars, double[] out) {
    if (from < 0 || from > to) {
      throw new IndexOutOfBoundsException("range [" + from + ", " + to + ")");
    }
    check(vectors, to, scalars, out, outputCount);
    kernel.run(vectors, from, to, scalars, out, 0);
  }

  /**
   * {@link #apply} over consecutive segments: segment {@code s} is the next {@code lengths[s]}
   * elements, and its outputs go to {@code out[s · outputCount …]}. One call for many small
   * ranges, with nothing allocated per range.
   */
  public void applySegments(double[][] vectors, int[] lengths, double[] scalars, double[] out) {
    applySegments(vectors, 0, lengths, scalars, out);
  }

  /**
   * {@link #applySegments(double[][], int[], double[], double[])} with the first segment starting
   * at element {@code from}: a range of larger arrays, read in place.
   */
  public void applySegments(double[][] vectors, int from, int[] lengths, double[] scalars,
      double[] out) {
    applySegments(vectors, from, lengths, 0, lengths.length, scalars, out, 0);
  }

  /**
   * Segments {@code first} to {@code end - 1} of {@code lengths} only, the first of them
   * starting at element {@code from}, their outputs at {@code out[at + (s - first) · outputCount
   * …]}: a share of the segments (for one of several threads, each with its own share), with
   * nothing allocated. Each segment's outputs are those of {@link #apply} on it alone, whoever
   * computes the others.
   */
  public void applySegments(double[][] vectors, int from, int[] lengths, int first, int end,
      double[] scalars, double[] out, int at) {
    if (from < 0 || at < 0 || first < 0 || first > end || end > lengths.length) {
      throw new IndexOutOfBoundsException("segments " + first + ".." + end + " of "
          + lengths.length + " from " + from + " to " + at);
    }
    long total = from;
    for (int s = first; s < end; s++) {
      if (lengths[s] < 0) {
        throw new IllegalArgumentException("negative segment length " + lengths[s]);
      }
      total += lengths[s];
    }
    if (total > Integer.MAX_VALUE) {
      throw new IndexOutOfBoundsException("segments end past " + Integer.MAX_VALUE);
    }
    check(vectors, (int) total, scalars, out, at + (end - first) * outputCount);
    for (int s = first; s < end; s++) {
      kernel.run(vectors, from, from + lengths[s], scalars, out, at + (s - first) * outputCount);
      from += lengths[s];
    }
  }

  /** Checks the arguments for ranges that end at {@code end} at most. */
  private void check(double[][] vectors, int end, double[] scalars, double[] out, int outputs) {
    if (vectors.length != vectorCount || scalars.length != scalarCount || out.length < outputs) {
      throw new IllegalArgumentException("this function takes " + vectorCount + " vectors and "
          + scalarCount + " scalars and gives " + outputCount + " outputs per range");
    }
    for (double[] v : vectors) {
      if (end > v.length) {
        throw new IndexOutOfBoundsException("elements up to " + end + " of a vector of "
            + v.length);
      }
    }
  }

  /** The number of outputs. */
  public int outputCount() {
    return outputCount;
  }

  /** Whether this function runs a loop compiled ahead of time ({@link PrecompiledLoop}). */
  public boolean precompiled() {
    return origin == LoopResolver.Origin.PRECOMPILED;
  }

  /**
   * Whether this function runs a loop defined from the bytes of the {@link LoopStore}
   * ({@link #keepLoopsIn}), compiled by an earlier JVM: no compiler ran for it in this one.
   */
  public boolean fromLoopStore() {
    return origin == LoopResolver.Origin.LOOP_STORE;
  }

  /**
   * Keeps the class files of loops compiled from now on in {@code store}, and looks every loop
   * that is not precompiled up there before compiling it (a persistent cache of compiled loops,
   * as {@code torch.compile} and XLA keep theirs). JVM-wide, like the loops themselves; null
   * stops it. Without a store (the default) nothing outlives the JVM.
   */
  public static void keepLoopsIn(LoopStore store) {
    LoopCache.use(store);
  }

  /** Forgets every loop this JVM defined (as a new JVM would start): for tests. */
  static void forgetLoops() {
    LoopResolver.forget();
  }

  /** The generated Java source, for debugging and for checked-in copies of it. */
  public String source() {
    return source;
  }

  /**
   * The SHA-256 of {@link #source()} (lower-case hex): the key a {@link PrecompiledLoop} of this
   * function is found by.
   */
  public String sourceSha256() {
    return PrecompiledLoops.sha256(source);
  }
}
