package dev.tapetrain.benchmarks;

import dev.tapetrain.tape.Arithmetic;
import dev.tapetrain.tape.GradientTape;
import dev.tapetrain.tape.MatrixOps;
import dev.tapetrain.tape.Ops;
import dev.tapetrain.tape.Tensor;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Two builds of the tape side by side in one JVM, timed interleaved: job D's model (MLP 1–16–1,
 * squared error, 100 000 samples; one eager forward and backward pass per step, one thread) and
 * a loop of {@code tanh} calls, so a change of the tape's numerics is measured against the
 * previous build under the same load. Each build's classes are loaded by a loader of their own
 * (this class's {@link Workload} with them), so the JIT compiles each separately.
 * <pre>
 * git archive OLD_COMMIT | tar -x -C /tmp/old &amp;&amp; (cd /tmp/old &amp;&amp; mvn -q -o compile -pl tape)
 * java -cp benchmarks/target/benchmarks.jar dev.tapetrain.benchmarks.TapeBuildsBenchmark \
 *     /tmp/old/tape/target/classes tape/target/classes
 * </pre>
 */
public final class TapeBuildsBenchmark {

  private TapeBuildsBenchmark() {}

  /** Runs 3 warm-up and 6 measured rounds; each round runs both builds, alternating first. */
  public static void main(String[] args) throws Exception {
    URL self = TapeBuildsBenchmark.class.getProtectionDomain().getCodeSource().getLocation();
    Method[][] work = new Method[2][];
    for (int b = 0; b < 2; b++) {
      // The build's tape first: the benchmarks jar has a tape of its own inside.
      ClassLoader l = new URLClassLoader(new URL[] {Path.of(args[b]).toUri().toURL(), self},
          ClassLoader.getPlatformClassLoader());
      Class<?> c = l.loadClass(Workload.class.getName());
      c.getMethod("setUp", int.class, int.class).invoke(null, 100_000, 16);
      work[b] = new Method[] {c.getMethod("mlpSteps", int.class), c.getMethod("tanhs", int.class)};
    }
    String[] what = {"MLP 1-16-1 step, ms", "tanh, ns per call"};
    int rounds = 9;
    int warmUp = 3;
    double[][][] t = new double[2][2][rounds];
    for (int r = 0; r < rounds; r++) {
      for (int k = r % 2; k < r % 2 + 2; k++) {
        int b = k % 2;
        t[b][0][r] = (double) work[b][0].invoke(null, 10);
        t[b][1][r] = (double) work[b][1].invoke(null, 500);
      }
    }
    for (int w = 0; w < 2; w++) {
      double[] before = Arrays.copyOfRange(t[0][w], warmUp, rounds);
      double[] after = Arrays.copyOfRange(t[1][w], warmUp, rounds);
      Arrays.sort(before);
      Arrays.sort(after);
      System.out.printf("%-20s first build %.2f, second %.2f: %.2fx (medians of %d rounds)%n",
          what[w], before[before.length / 2], after[after.length / 2],
          before[before.length / 2] / after[after.length / 2], before.length);
    }
  }

  /** What is timed, loaded once per build. Public for the reflective calls. */
  public static final class Workload {

    private static Tensor x;
    private static Tensor y;
    private static Tensor w1;
    private static Tensor b1;
    private static Tensor w2;
    private static Tensor b2;
    private static final double[] ARGS = new double[4096];
    private static final double[] OUT = new double[4096];

    private Workload() {}

    /** {@code n} samples of job D's line, {@code hidden} units with small random weights. */
    public static void setUp(int n, int hidden) {
      SplittableRandom r = new SplittableRandom(3);
      double[] xs = new double[n];
      double[] ys = new double[n];
      for (int i = 0; i < n; i++) {
        xs[i] = r.nextDouble(-2, 2);
        ys[i] = 3 * xs[i] + 2 + r.nextGaussian();
      }
      x = Tensor.matrix(n, 1, xs);
      y = Tensor.matrix(n, 1, ys);
      double[] a = new double[hidden];
      double[] d = new double[hidden];
      for (int j = 0; j < hidden; j++) {
        a[j] = r.nextDouble(-0.6, 0.6);
        d[j] = r.nextDouble(-0.6, 0.6);
      }
      w1 = Tensor.matrix(1, hidden, a);
      b1 = Tensor.vector(new double[hidden]);
      w2 = Tensor.matrix(hidden, 1, d);
      b2 = Tensor.vector(0.0);
      for (int i = 0; i < ARGS.length; i++) {
        ARGS[i] = r.nextDouble(-4, 4);
      }
    }

    /** Milliseconds per step over {@code steps} eager steps. */
    public static double mlpSteps(int steps) {
      long start = System.nanoTime();
      for (int k = 0; k < steps; k++) {
        try (GradientTape tape = new GradientTape()) {
          tape.watch(w1, b1, w2, b2);
          Tensor h = Ops.tanh(MatrixOps.dense(x, w1, b1));
          Tensor loss = Ops.sum(Ops.squaredDifference(MatrixOps.dense(h, w2, b2), y));
          tape.gradient(loss, w1, b1, w2, b2);
        }
      }
      return (System.nanoTime() - start) / 1e6 / steps;
    }

    /** Nanoseconds per {@code tanh} over {@code reps} passes of 4096 arguments in (−4, 4). */
    public static double tanhs(int reps) {
      long start = System.nanoTime();
      for (int k = 0; k < reps; k++) {
        for (int i = 0; i < ARGS.length; i++) {
          OUT[i] = Arithmetic.tanh(ARGS[i]);
        }
      }
      return (System.nanoTime() - start) / (double) reps / ARGS.length;
    }
  }
}
