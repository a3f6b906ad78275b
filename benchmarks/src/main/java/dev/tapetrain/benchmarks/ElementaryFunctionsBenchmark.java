package dev.tapetrain.benchmarks;

import dev.tapetrain.tape.Arithmetic;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Nanoseconds per element of the tape's elementary functions ({@link Arithmetic}: numerics
 * version 2) against {@link StrictMath}'s, each in a loop over 4096 arguments as a kernel runs
 * them: {@code tanh} and {@code exp} on uniform (−4, 4), what an MLP's pre-activations and a
 * softmax's shifted logits look like; {@code log} on (0.001, 100).
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar ElementaryFunctionsBenchmark
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ElementaryFunctionsBenchmark {

  private static final int N = 4096;
  private final double[] centred = new double[N];
  private final double[] positive = new double[N];
  private final double[] out = new double[N];

  @Setup
  public void setUp() {
    SplittableRandom random = new SplittableRandom(1);
    for (int i = 0; i < N; i++) {
      centred[i] = random.nextDouble(-4, 4);
      positive[i] = random.nextDouble(1e-3, 100);
    }
  }

  @Benchmark
  @OperationsPerInvocation(N)
  public double[] tanh() {
    for (int i = 0; i < N; i++) {
      out[i] = Arithmetic.tanh(centred[i]);
    }
    return out;
  }

  @Benchmark
  @OperationsPerInvocation(N)
  public double[] strictTanh() {
    for (int i = 0; i < N; i++) {
      out[i] = StrictMath.tanh(centred[i]);
    }
    return out;
  }

  @Benchmark
  @OperationsPerInvocation(N)
  public double[] exp() {
    for (int i = 0; i < N; i++) {
      out[i] = Arithmetic.exp(centred[i]);
    }
    return out;
  }

  @Benchmark
  @OperationsPerInvocation(N)
  public double[] strictExp() {
    for (int i = 0; i < N; i++) {
      out[i] = StrictMath.exp(centred[i]);
    }
    return out;
  }

  @Benchmark
  @OperationsPerInvocation(N)
  public double[] sigmoid() {
    for (int i = 0; i < N; i++) {
      out[i] = Arithmetic.sigmoid(centred[i]);
    }
    return out;
  }

  @Benchmark
  @OperationsPerInvocation(N)
  public double[] log() {
    for (int i = 0; i < N; i++) {
      out[i] = Arithmetic.log(positive[i]);
    }
    return out;
  }

  @Benchmark
  @OperationsPerInvocation(N)
  public double[] strictLog() {
    for (int i = 0; i < N; i++) {
      out[i] = StrictMath.log(positive[i]);
    }
    return out;
  }
}
