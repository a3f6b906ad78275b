package dev.tapetrain.worker.shard;

import dev.tapetrain.protocol.NamedTensor;
import dev.tapetrain.tape.CompiledFunction;
import dev.tapetrain.tape.GradientTape;
import dev.tapetrain.tape.NotCompilableException;
import dev.tapetrain.tape.Ops;
import dev.tapetrain.tape.Tensor;
import dev.tapetrain.tape.TensorScope;
import dev.tapetrain.tape.Variable;
import dev.tapetrain.tape.UnconnectedGradients;
import java.util.ArrayList;
import java.util.List;

/**
 * The model {@code y = W·x + B} with trainable variables {@code w} and {@code b}, differentiated
 * by the tape engine (not by derivatives written out by hand).
 *
 * <p>With one feature {@code w} is a scalar and {@code x} a vector of samples (the tutorial's
 * {@code x * W + B}); with several, {@code w} is a vector and {@code x} an {@code [n, f]} matrix,
 * and the prediction is {@code matvec(x, w) + b}.
 */
public final class LinearModel {

  /** Name of the weight parameter. */
  public static final String W = "w";
  /** Name of the bias parameter. */
  public static final String B = "b";

  private final int features;
  private final Variable w;
  private final Variable b = new Variable(B, Tensor.scalar(0.0));

  /** The sums of one chunk: {@code lossSum = Σ (W·x_i + B − y_i)²} and its gradients. */
  public record Sums(double lossSum, Tensor gradW, Tensor gradB) {}

  /** A model of {@code features} features. */
  public LinearModel(int features) {
    this.features = features;
    this.w = new Variable(W, features == 1 ? Tensor.scalar(0.0) : Tensor.zeros(new int[] {features}));
  }

  /** Sets W and B from the coordinator's parameters. */
  public void setParameters(List<NamedTensor> params) {
    NamedTensor pw = NamedTensor.find(params, W);
    NamedTensor pb = NamedTensor.find(params, B);
    if (pw.size() != features || pb.size() != 1) {
      throw new IllegalArgumentException("this model has " + features + " feature(s); got w with "
          + pw.size() + " values");
    }
    w.assign(features == 1 ? Tensor.scalar(pw.values()[0]) : Tensor.vector(pw.values()));
    b.assign(Tensor.scalar(pb.scalarValue()));
  }

  /** {@code x·W + B}: {@code x} is a vector for one feature, an {@code [n, f]} matrix else. */
  public Tensor predict(Tensor x) {
    return predict(x, w.value(), b.value());
  }

  private static Tensor predict(Tensor x, Tensor w, Tensor b) {
    return x.rank() == 1 ? Ops.mulAdd(x, w, b) : Ops.add(Ops.matvec(x, w), b);
  }

  /**
   * The model's loss sum {@code Σ (x·W + B − y)²} over some samples and its gradients with
   * respect to {@code w} and {@code b}, by the tape: the one definition of what a worker computes.
   */
  private static Tensor[] lossAndGradients(Tensor x, Tensor y, Tensor w, Tensor b) {
    try (GradientTape tape = new GradientTape(false, false)) {
      tape.watch(w, b);
      Tensor lossSum = Ops.sum(Ops.squaredDifference(predict(x, w, b), y));
      Tensor[] g = tape.gradient(lossSum, w, b);
      return new Tensor[] {lossSum, g[0], g[1]};
    }
  }

  /**
   * Runs the tape once over several chunks laid end to end ({@code lengths[s]} samples each) and
   * returns each chunk's sums; one feature only.
   *
   * <p>The tape differentiates by per-sample copies of W and B, so the gradient it returns holds
   * every sample's contribution; segment sums then add each chunk's contributions with exactly
   * the additions, in exactly the order, that a tape over that chunk alone would use. The
   * results are bit-identical to {@link #sums(Tensor, Tensor)} per chunk, at a fraction of the
   * per-op overhead when chunks are small.
   */
  public List<Sums> segmentSums(Tensor x, Tensor y, int[] lengths) {
    if (features != 1) {
      throw new IllegalStateException("segmentSums takes one feature");
    }
    // Intermediates live in a scope, so repeating this every step reuses the same memory.
    try (TensorScope scope = TensorScope.open()) {
      int[] shape = {y.size()};
      Tensor wPerSample = Ops.broadcastTo(w.value(), shape);
      Tensor bPerSample = Ops.broadcastTo(b.value(), shape);
      Tensor lossSums;
      Tensor[] g;
      try (GradientTape tape = new GradientTape(false, false)) {
        tape.watch(wPerSample, bPerSample);
        Tensor squared = Ops.squaredDifference(Ops.mulAdd(x, wPerSample, bPerSample), y);
        lossSums = Ops.segmentSum(squared, lengths);
        g = tape.gradient(lossSums, List.of(wPerSample, bPerSample),
            Tensor.filled(new int[] {lengths.length}, 1.0), UnconnectedGradients.ZERO);
      }
      Tensor gw = Ops.segmentSum(g[0], lengths);
      Tensor gb = Ops.segmentSum(g[1], lengths);
      List<Sums> out = new ArrayList<>(lengths.length);
      for (int s = 0; s < lengths.length; s++) {
        out.add(new Sums(lossSums.get(s), Tensor.scalar(gw.get(s)), Tensor.scalar(gb.get(s))));
      }
      return out;
    }
  }

  /** Runs the tape over one chunk and returns its loss sum and gradient sums. */
  public Sums sums(Tensor x, Tensor y) {
    Tensor[] r = lossAndGradients(x, y, w.value(), b.value());
    return new Sums(r[0].item(), r[1], r[2]);
  }

  /**
   * {@link #sums} compiled into one loop ({@link CompiledFunction}); one feature only. The
   * example samples (at least 3) are what the tape is traced on.
   *
   * @throws NotCompilableException if the tape engine cannot compile it
   */
  public CompiledFunction compileSums(double[] exampleX, double[] exampleY)
      throws NotCompilableException {
    return compileSums(exampleX, exampleY, true);
  }

  /**
   * As {@link #compileSums(double[], double[])}; with {@code compileAtRunTime} false, null
   * unless a loop is at hand without a compiler (precompiled, or compiled earlier in this JVM).
   */
  public CompiledFunction compileSums(double[] exampleX, double[] exampleY,
      boolean compileAtRunTime) throws NotCompilableException {
    if (features != 1) {
      throw new IllegalStateException("compileSums takes one feature");
    }
    return CompiledFunction.compile((v, s) -> lossAndGradients(v[0], v[1], s[0], s[1]),
        new double[][] {exampleX, exampleY}, new double[] {w.value().item(), b.value().item()},
        compileAtRunTime);
  }

  /**
   * The sums of consecutive segments of {@code x} and {@code y} ({@code lengths[s]} samples
   * each, the first starting at element {@code from}, read in place) by a function from
   * {@link #compileSums}, at the current parameters, packed: segment {@code s} is
   * {@code [lossSum, dw, db]} at {@code 3 * s}, bit for bit what {@link #sums} gives for each
   * segment alone.
   */
  public double[] segmentSums(CompiledFunction compiled, double[] x, double[] y, int from,
      int[] lengths) {
    double[] out = new double[3 * lengths.length];
    compiled.applySegments(new double[][] {x, y}, from, lengths,
        new double[] {w.value().item(), b.value().item()}, out);
    return out;
  }
}
