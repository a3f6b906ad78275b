package dev.tapetrain.models;

import dev.tapetrain.tape.MatrixOps;
import dev.tapetrain.tape.Ops;
import dev.tapetrain.tape.Tensor;
import java.util.List;

/**
 * The built-in models, one class each, in the order {@code --help} lists them: {@link
 * LinearRegression} ({@code linear}, the tutorial's), {@link LogisticRegression}, {@link
 * SoftmaxRegression} and {@link Mlp}; and what they share (an affine map, Glorot-uniform
 * initial values). Their parameter names and shapes are what tools and tests rely on.
 */
public final class BuiltInModels {

  private BuiltInModels() {}

  /** The factories of the built-in models, in the order {@code --help} lists them. */
  public static List<ModelFactory> factories() {
    return List.of(new LinearRegression(), new LogisticRegression(), new SoftmaxRegression(),
        new Mlp());
  }

  /** {@code x·w + b} for {@code x [n, f]}, {@code w [f]} (or a scalar for one feature). */
  static Tensor affine(Tensor x, Tensor w, Tensor b) {
    if (w.rank() == 0) {
      return Ops.mulAdd(MatrixOps.rowSum(x), w, b);
    }
    return Ops.add(Ops.matvec(x, w), b);
  }

  /** Glorot-uniform values for a {@code [in, out]} kernel: U(−√(6/(in+out)), +√(6/(in+out))). */
  static double[] glorotUniform(long seed, int stream, int in, int out) {
    double limit = Math.sqrt(6.0 / (in + out));
    double[] v = new double[in * out];
    long state = mix64(seed ^ mix64(stream * GOLDEN + GOLDEN));
    for (int i = 0; i < v.length; i++) {
      state += GOLDEN;
      double u = (mix64(state) >>> 11) * 0x1.0p-53; // [0, 1)
      v[i] = (2 * u - 1) * limit;
    }
    return v;
  }

  /** The 64-bit golden ratio, SplitMix64's increment. */
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;

  /** SplitMix64's finaliser (Steele, Lea, Flood 2014), as the synthetic data use it. */
  private static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
